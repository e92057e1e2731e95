import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('loadConfig', () => {
  it('has working defaults for a fresh machine', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toEqual({
      host: '127.0.0.1',
      port: 3000,
      dataDir: path.resolve('/srv/app/data'),
      publicUrl: null,
      apiKeys: null,
      maxUploadBytes: 32 * 1024 * 1024,
      signingSecret: null,
      uploadUrlTtlSeconds: 3600,
      directUploadMaxBytes: 5 * 1024 ** 3,
      multipartMaxBytes: 50 * 1024 ** 3,
      multipartTtlSeconds: 86400,
      reaperIntervalSeconds: 60,
      webhookEventsRetentionDays: 30,
      urlFetchAllowHttp: false,
      urlFetchAllowCidrs: [],
      urlFetchTimeoutSeconds: 30,
      maxJsonBytes: 48 * 1024 * 1024,
      rateLimitPerMinute: 0,
      workerKeys: [],
      webhookSecret: null,
      databaseUrl: null,
      databasePoolSize: 10,
      s3: null,
      logLevel: 'info',
      headersTimeoutSeconds: 30,
      bodyIdleTimeoutSeconds: 60,
      requestTimeoutSeconds: 0,
      maxConcurrentUploads: 128,
      shutdownGraceSeconds: 25,
      metricsToken: null,
      corsOrigins: [],
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses key=tenant pairs, and names the tenant of a bare key after its hash, never the key', () => {
    const config = loadConfig({ ASSETD_API_KEYS: ' key-one-000000000000=acme , key-two-000000000000 ' });
    expect(config.apiKeys).toEqual([
      { key: 'key-one-000000000000', tenant: 'acme' },
      { key: 'key-two-000000000000', tenant: expect.stringMatching(/^t_[0-9a-f]{16}$/) },
    ]);
    expect(loadConfig({ ASSETD_API_KEYS: 'key-two-000000000000' }).apiKeys).toEqual(config.apiKeys!.slice(1));
  });

  it('reports every problem at once, without echoing keys', () => {
    let error: unknown;
    try {
      loadConfig({
        ASSETD_PORT: 'eighty',
        ASSETD_PUBLIC_URL: 'ftp://files',
        ASSETD_API_KEYS: 'short=acme',
        ASSETD_MAX_UPLOAD_BYTES: '0',
        ASSETD_LOG_LEVEL: 'loud',
        ASSETD_SIGNING_SECRET: 'too-short',
        ASSETD_UPLOAD_URL_TTL_SECONDS: '-5',
        ASSETD_RATE_LIMIT_PER_MINUTE: 'many',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(8);
    expect(problems.join('\n')).toMatch(/ASSETD_RATE_LIMIT_PER_MINUTE must be a whole number/);
    expect(problems.join('\n')).toMatch(/ASSETD_PORT must be a whole number/);
    expect(problems.join('\n')).toMatch(/ASSETD_PUBLIC_URL must use http or https/);
    expect(problems.join('\n')).toMatch(/ASSETD_MAX_UPLOAD_BYTES must be between/);
    expect(problems.join('\n')).toMatch(/ASSETD_LOG_LEVEL must be one of/);
    expect(problems.join('\n')).toMatch(/ASSETD_SIGNING_SECRET must be at least 32 characters/);
    expect(problems.join('\n')).toMatch(/ASSETD_UPLOAD_URL_TTL_SECONDS must be a whole number/);
    expect(problems.join('\n')).not.toContain('short=');
    expect(problems.join('\n')).not.toContain('too-short');
  });

  it('checks the URL-fetch settings and worker keys', () => {
    expect(() => loadConfig({ ASSETD_URL_FETCH_ALLOW_CIDRS: '10.0.0.0/8,nope' })).toThrow(/"nope" is not a CIDR/);
    expect(() => loadConfig({ ASSETD_URL_FETCH_ALLOW_HTTP: 'maybe' })).toThrow(/must be true or false/);
    expect(() => loadConfig({ ASSETD_WORKER_KEYS: 'short' })).toThrow(/ASSETD_WORKER_KEYS entry 1/);
    const config = loadConfig({ ASSETD_URL_FETCH_ALLOW_HTTP: 'true', ASSETD_URL_FETCH_ALLOW_CIDRS: '127.0.0.0/8, ::1/128' });
    expect(config.urlFetchAllowHttp).toBe(true);
    expect(config.urlFetchAllowCidrs).toEqual(['127.0.0.0/8', '::1/128']);
  });

  it('selects PostgreSQL and S3, and checks their settings', () => {
    const config = loadConfig({
      ASSETD_DATABASE_URL: 'postgres://assetd:secret@db:5432/assetd',
      ASSETD_S3_BUCKET: 'media-assets',
      ASSETD_S3_ENDPOINT: 'http://127.0.0.1:7480',
      ASSETD_S3_ACCESS_KEY_ID: 'AK',
      ASSETD_S3_SECRET_ACCESS_KEY: 'SK',
      ASSETD_S3_PREFIX: 'assetd/',
    });
    expect(config.databaseUrl).toBe('postgres://assetd:secret@db:5432/assetd');
    expect(config.s3).toEqual({
      bucket: 'media-assets',
      endpoint: 'http://127.0.0.1:7480',
      region: 'us-east-1',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      forcePathStyle: true,
      prefix: 'assetd/',
      idleTimeoutSeconds: 120,
    });
    expect(loadConfig({ ASSETD_S3_BUCKET: 'media-assets', ASSETD_S3_IDLE_TIMEOUT_SECONDS: '5' }).s3?.idleTimeoutSeconds).toBe(5);
    expect(() => loadConfig({ ASSETD_S3_BUCKET: 'media-assets', ASSETD_S3_IDLE_TIMEOUT_SECONDS: '0' })).toThrow(/ASSETD_S3_IDLE_TIMEOUT_SECONDS/);
    let problems: readonly string[] = [];
    try {
      loadConfig({
        ASSETD_DATABASE_URL: 'mysql://root:hunter2@db/assetd',
        ASSETD_S3_BUCKET: 'Bad_Bucket',
        ASSETD_S3_ACCESS_KEY_ID: 'AK',
        ASSETD_S3_PREFIX: 'no-slash',
      });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(() => loadConfig({ ASSETD_S3_ENDPOINT: 'http://x' })).toThrow(/without ASSETD_S3_BUCKET/);
  });

  it('refuses a duplicated key and a public url with a query', () => {
    expect(() => loadConfig({ ASSETD_API_KEYS: 'same-key-0000000000=a,same-key-0000000000=b' })).toThrow(/listed twice/);
    expect(() => loadConfig({ ASSETD_PUBLIC_URL: 'https://cdn.example/?x=1' })).toThrow(/query/);
    expect(loadConfig({ ASSETD_PUBLIC_URL: 'https://cdn.example/assets/' }).publicUrl).toBe('https://cdn.example/assets');
  });

  it('reads the timeouts, the upload cap, the shutdown grace and the metrics token, and reports them all at once', () => {
    const config = loadConfig({
      ASSETD_HEADERS_TIMEOUT_SECONDS: '5',
      ASSETD_BODY_IDLE_TIMEOUT_SECONDS: '2',
      ASSETD_REQUEST_TIMEOUT_SECONDS: '600',
      ASSETD_MAX_CONCURRENT_UPLOADS: '3',
      ASSETD_SHUTDOWN_GRACE_SECONDS: '0',
      ASSETD_METRICS_TOKEN: 'metrics-token-0000000',
    });
    expect(config).toMatchObject({
      headersTimeoutSeconds: 5,
      bodyIdleTimeoutSeconds: 2,
      requestTimeoutSeconds: 600,
      maxConcurrentUploads: 3,
      shutdownGraceSeconds: 0,
      metricsToken: 'metrics-token-0000000',
    });
    let problems: readonly string[] = [];
    try {
      loadConfig({
        ASSETD_HEADERS_TIMEOUT_SECONDS: '0',
        ASSETD_BODY_IDLE_TIMEOUT_SECONDS: 'soon',
        ASSETD_MAX_CONCURRENT_UPLOADS: '0',
        ASSETD_SHUTDOWN_GRACE_SECONDS: '-1',
        ASSETD_METRICS_TOKEN: 'short secret',
      });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/ASSETD_HEADERS_TIMEOUT_SECONDS must be between 1 and 3600/);
    expect(problems.join('\n')).toMatch(/ASSETD_BODY_IDLE_TIMEOUT_SECONDS must be a whole number/);
    expect(problems.join('\n')).toMatch(/ASSETD_MAX_CONCURRENT_UPLOADS must be between 1/);
    expect(problems.join('\n')).toMatch(/ASSETD_METRICS_TOKEN must be 16-256 characters/);
    expect(problems.join('\n')).not.toContain('short secret');
    // Node refuses headers that may take longer than the whole request.
    expect(() => loadConfig({ ASSETD_HEADERS_TIMEOUT_SECONDS: '60', ASSETD_REQUEST_TIMEOUT_SECONDS: '30' })).toThrow(
      /ASSETD_HEADERS_TIMEOUT_SECONDS \(60\) must not exceed ASSETD_REQUEST_TIMEOUT_SECONDS \(30\)/,
    );
  });

  it('reads the CORS origins as exact origins, and refuses anything more or less than one', () => {
    const config = loadConfig({ ASSETD_CORS_ORIGINS: 'https://console.example.com, http://127.0.0.1:5173/,https://console.example.com' });
    expect(config.corsOrigins).toEqual(['https://console.example.com', 'http://127.0.0.1:5173']);
    let problems: readonly string[] = [];
    try {
      loadConfig({ ASSETD_CORS_ORIGINS: 'https://a.example/path,*,ftp://b.example,c.example' });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/ASSETD_CORS_ORIGINS: "https:\/\/a.example\/path" is not an origin/);
  });
});
