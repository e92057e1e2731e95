// @ts-check
// The assetd console: paste an API key, upload files (one request up to 32 MiB, direct upload straight to
// upload_url above it, a resumable multipart upload above 64 MiB: parts sent four at a time, each retried on its
// own), see the newest assets with a preview, copy an id or a url, delete one. It speaks only the
// public API of the server that serves it. The key lives in this tab's sessionStorage and travels only in the
// x-api-key header: never in a URL, never logged.

const KEY_STORAGE = 'assetd.apiKey';
const SINGLE_MAX_BYTES = 32 * 1024 * 1024;
const DIRECT_MAX_BYTES = 5 * 1024 ** 3;
/** Above this a file goes in parts (as the client library does): a lost part is sent again, not the whole file. */
const MULTIPART_ABOVE_BYTES = 64 * 1024 * 1024;
const PARTS_AT_ONCE = 4;
const PART_TRIES = 4;
const PAGE_SIZE = 24;
const UPLOADS_AT_ONCE = 3;
const PREVIEW_WIDTH = 320;
const SUPPORTED = 'PNG, JPEG, MP4, WebM, MP3, WAV, PDF, ZIP or SRT';

/**
 * @typedef {{ asset_id: string, name: string, type: string, status: string, mime_type: string, size_bytes: number,
 *   url: string | null, created_at: string, width?: number, height?: number, duration_seconds?: number }} Asset
 * @typedef {{ code: string, message: string, param?: string }} ApiErrorBody
 */

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} is missing`);
  return element;
}

const ui = {
  connect: byId('connect', HTMLElement),
  keyForm: byId('key-form', HTMLFormElement),
  keyInput: byId('api-key', HTMLInputElement),
  keyError: byId('key-error', HTMLElement),
  forget: byId('forget', HTMLButtonElement),
  workspace: byId('workspace', HTMLElement),
  drop: byId('drop', HTMLElement),
  pick: byId('pick', HTMLButtonElement),
  files: byId('files', HTMLInputElement),
  uploads: byId('uploads', HTMLUListElement),
  list: byId('asset-list', HTMLUListElement),
  listStatus: byId('list-status', HTMLElement),
  refresh: byId('refresh', HTMLButtonElement),
  more: byId('more', HTMLButtonElement),
  toast: byId('toast', HTMLElement),
  confirm: byId('confirm', HTMLDialogElement),
  confirmText: byId('confirm-text', HTMLElement),
  confirmCancel: byId('confirm-cancel', HTMLButtonElement),
  confirmDelete: byId('confirm-delete', HTMLButtonElement),
};

/** An answer of the API that was not 2xx, with the envelope's words. */
class ApiError extends Error {
  /**
   * @param {number} status
   * @param {ApiErrorBody | null} body
   */
  constructor(status, body) {
    super(body?.message ?? `The server answered ${status}.`);
    this.status = status;
    this.code = body?.code ?? `http_${status}`;
  }
}

// ---- the key ----

function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) ?? '';
}

/** @param {string} message */
function signOut(message) {
  sessionStorage.removeItem(KEY_STORAGE);
  ui.workspace.hidden = true;
  ui.forget.hidden = true;
  ui.connect.hidden = false;
  ui.keyError.textContent = message;
  ui.list.replaceChildren();
  ui.keyInput.focus();
}

ui.keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = ui.keyInput.value.trim();
  if (!key) {
    ui.keyError.textContent = 'Paste an API key first.';
    return;
  }
  sessionStorage.setItem(KEY_STORAGE, key);
  ui.keyInput.value = '';
  void start();
});

ui.forget.addEventListener('click', () => signOut('The key is forgotten. Paste one to connect again.'));

async function start() {
  ui.keyError.textContent = '';
  try {
    await loadAssets(true);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signOut('The server refused this key (401 unauthorized).');
    ui.keyError.textContent = `Could not reach the server: ${describe(error)}`;
    return;
  }
  ui.connect.hidden = true;
  ui.workspace.hidden = false;
  ui.forget.hidden = false;
}

// ---- talking to the API ----

/**
 * @param {string} method
 * @param {string} path
 * @param {{ json?: unknown, idempotent?: boolean }} [options]
 * @returns {Promise<any>}
 */
async function api(method, path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { 'x-api-key': apiKey() };
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotent) headers['idempotency-key'] = randomId();
  const response = await fetch(path, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body?.error ?? null);
  return body;
}

function randomId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * An XMLHttpRequest, for the upload progress fetch() does not give.
 * @param {{ method: string, url: string, headers: Record<string, string>, body: Blob | FormData,
 *   onProgress: (fraction: number) => void }} options
 * @returns {Promise<{ status: number, body: any }>}
 */
function send({ method, url, headers, body, onProgress }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      let parsed = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        parsed = xhr.responseText;
      }
      resolve({ status: xhr.status, body: parsed });
    });
    xhr.addEventListener('error', () => reject(new Error('the connection failed (network, or a CORS refusal)')));
    xhr.addEventListener('abort', () => reject(new Error('the upload was cancelled')));
    xhr.send(body);
  });
}

/** @param {{ status: number, body: any }} answer */
function failure(answer) {
  if (answer.body && typeof answer.body === 'object' && answer.body.error) return new ApiError(answer.status, answer.body.error);
  // An object store's refusal is XML.
  const text = typeof answer.body === 'string' ? answer.body : '';
  const message = /<Message>([^<]+)<\/Message>/.exec(text)?.[1] ?? /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  return new ApiError(answer.status, { code: `http_${answer.status}`, message: message ?? `The storage answered ${answer.status}.` });
}

// ---- what a file is, from its first bytes (as the server will judge it) ----

/**
 * @param {File} file
 * @returns {Promise<string | null>}
 */
async function sniff(file) {
  const head = new Uint8Array(await file.slice(0, 64).arrayBuffer());
  const ascii = (/** @type {number} */ from, /** @type {number} */ to) => String.fromCharCode(...head.subarray(from, to));
  const starts = (/** @type {number[]} */ bytes) => bytes.every((b, i) => head[i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(4, 8) === 'ftyp') return 'video/mp4';
  if (starts([0x1a, 0x45, 0xdf, 0xa3])) return 'video/webm';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'audio/wav';
  if (ascii(0, 3) === 'ID3' || (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0)) return 'audio/mpeg';
  if (ascii(0, 5) === '%PDF-') return 'application/pdf';
  if (starts([0x50, 0x4b, 0x03, 0x04])) return 'application/zip';
  if (/^\uFEFF?\d+\r?\n\d\d:\d\d:\d\d[,.]\d{3} --> /.test(new TextDecoder().decode(head))) return 'application/x-subrip';
  return null;
}

// ---- uploads ----

/** @type {File[]} */
const queue = [];
let uploading = 0;

/** @param {Iterable<File>} files */
function enqueue(files) {
  for (const file of files) queue.push(file);
  while (uploading < UPLOADS_AT_ONCE && queue.length > 0) {
    const file = /** @type {File} */ (queue.shift());
    uploading += 1;
    void uploadOne(file).finally(() => {
      uploading -= 1;
      enqueue([]);
    });
  }
}

/** @param {File} file */
function uploadRow(file) {
  const item = document.createElement('li');
  item.className = 'upload';
  const name = document.createElement('span');
  name.className = 'file-name';
  name.textContent = file.name;
  const bar = document.createElement('progress');
  bar.max = 1;
  bar.value = 0;
  bar.setAttribute('aria-label', `Upload of ${file.name}`);
  const state = document.createElement('span');
  state.className = 'state';
  state.textContent = 'Waiting…';
  item.append(name, bar, state);
  ui.uploads.prepend(item);
  return {
    /** @param {number} fraction */
    progress(fraction) {
      bar.value = fraction;
      state.textContent = `Uploading… ${Math.floor(fraction * 100)} %`;
    },
    /** @param {string} text */
    step(text) {
      state.textContent = text;
    },
    /** @param {string} text */
    done(text) {
      bar.value = 1;
      item.classList.add('ok');
      state.textContent = text;
    },
    /** @param {string} text */
    refused(text) {
      item.classList.add('failed');
      bar.hidden = true;
      state.textContent = text;
    },
  };
}

/** @param {File} file */
async function uploadOne(file) {
  const row = uploadRow(file);
  try {
    const mime = await sniff(file);
    if (file.size === 0) return row.refused('Refused: the file is empty.');
    if (!mime) return row.refused(`Refused: not a type assetd takes (it takes ${SUPPORTED}).`);
    const single = file.size <= SINGLE_MAX_BYTES && mime !== 'application/zip';
    let asset = single ? await uploadSingle(file, row) : null;
    let how = single ? '' : ' (direct upload)';
    // null: a server that does not take multipart uploads (404); the file may still fit one direct upload.
    if (!asset && file.size > MULTIPART_ABOVE_BYTES) {
      asset = await uploadMultipart(file, mime, row);
      how = ' (multipart upload)';
    }
    if (!asset && file.size > DIRECT_MAX_BYTES) return row.refused(`Refused: ${formatBytes(file.size)} is over the 5 GiB limit.`);
    // null: a server configured with a lower single-request limit answered 413; the file still fits direct upload.
    asset ??= await uploadDirect(file, mime, row);
    row.done(`Done: ${asset.mime_type}, ${formatBytes(asset.size_bytes)}${how}.`);
    await loadAssets(true);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signOut('The server refused this key (401 unauthorized).');
    row.refused(`Refused: ${describe(error)}`);
  }
}

/**
 * @param {File} file
 * @param {ReturnType<typeof uploadRow>} row
 */
async function uploadSingle(file, row) {
  const form = new FormData();
  form.append('file', file, file.name);
  const answer = await send({
    method: 'POST',
    url: '/v3/assets',
    headers: { 'x-api-key': apiKey(), 'idempotency-key': randomId() },
    body: form,
    onProgress: (f) => row.progress(f),
  });
  if (answer.status === 413) return null;
  if (answer.status !== 200) throw failure(answer);
  return answer.body.data;
}

/**
 * @param {File} file
 * @param {string} mime
 * @param {ReturnType<typeof uploadRow>} row
 */
async function uploadDirect(file, mime, row) {
  row.step('Starting a direct upload…');
  const { data: upload } = await api('POST', '/v3/assets/direct-uploads', {
    json: { filename: file.name, content_type: mime, size_bytes: file.size },
    idempotent: true,
  });
  /** @type {Record<string, string>} */
  const headers = {};
  // The browser sets Content-Length itself (and may not be told it).
  for (const [name, value] of Object.entries(upload.upload_headers ?? {})) {
    if (name.toLowerCase() !== 'content-length') headers[name] = String(value);
  }
  const put = await send({ method: 'PUT', url: upload.upload_url, headers, body: file, onProgress: (f) => row.progress(f) });
  if (put.status !== 200) throw failure(put);
  row.step('Verifying…');
  for (let attempt = 1; ; attempt++) {
    try {
      return (await api('POST', `/v3/assets/${encodeURIComponent(upload.asset_id)}/complete`)).data;
    } catch (error) {
      // 409: the stored object is not visible yet, or another complete runs; both settle soon.
      if (!(error instanceof ApiError && error.status === 409 && attempt < 10)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
    }
  }
}

/**
 * A resumable multipart upload: the part URLs (a page at a time), the parts PUT four at a time straight to them, each
 * tried up to PART_TRIES times on a network failure or a 5xx, then complete. Null when the server has no multipart
 * uploads (404).
 * @param {File} file
 * @param {string} mime
 * @param {ReturnType<typeof uploadRow>} row
 * @returns {Promise<Asset | null>}
 */
async function uploadMultipart(file, mime, row) {
  row.step('Starting a multipart upload…');
  let upload;
  try {
    ({ data: upload } = await api('POST', '/v3/assets/multipart-uploads', {
      json: { filename: file.name, content_type: mime, size_bytes: file.size },
      idempotent: true,
    }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
  const id = encodeURIComponent(upload.asset_id);
  /** @type {{ part_number: number, size_bytes: number, upload_url: string, upload_headers: Record<string, string> }[]} */
  const parts = [...upload.parts];
  for (let marker = upload.next_part_number_marker; marker; ) {
    const { data: page } = await api('GET', `/v3/assets/multipart-uploads/${id}?part_number_marker=${marker}`);
    parts.push(...page.parts);
    marker = page.next_part_number_marker;
  }
  /** Bytes of each part acknowledged or under way, for one progress bar over the whole file. */
  const sent = new Map();
  const report = () => row.progress([...sent.values()].reduce((a, b) => a + b, 0) / file.size);
  const sendPart = async (/** @type {(typeof parts)[number]} */ part) => {
    const start = (part.part_number - 1) * upload.part_size_bytes;
    const body = file.slice(start, start + part.size_bytes);
    /** @type {Record<string, string>} */
    const headers = {};
    for (const [name, value] of Object.entries(part.upload_headers ?? {})) {
      if (name.toLowerCase() !== 'content-length') headers[name] = String(value);
    }
    for (let attempt = 1; ; attempt++) {
      let answer;
      try {
        answer = await send({ method: 'PUT', url: part.upload_url, headers, body, onProgress: (f) => (sent.set(part.part_number, f * part.size_bytes), report()) });
      } catch (error) {
        if (attempt >= PART_TRIES) throw error;
      }
      if (answer && answer.status >= 200 && answer.status < 300) return;
      if (answer && (answer.status < 500 || attempt >= PART_TRIES)) throw failure(answer);
      sent.set(part.part_number, 0);
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    }
  };
  const queue = [...parts];
  await Promise.all(
    Array.from({ length: Math.min(PARTS_AT_ONCE, queue.length) }, async () => {
      for (let part = queue.shift(); part; part = queue.shift()) await sendPart(part);
    }),
  );
  row.step('Assembling and verifying…');
  for (let attempt = 1; ; attempt++) {
    try {
      return (await api('POST', `/v3/assets/${id}/complete`)).data;
    } catch (error) {
      // 409: another complete (from a retry) is assembling it; it settles soon.
      if (!(error instanceof ApiError && error.status === 409 && attempt < 20)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

ui.pick.addEventListener('click', () => ui.files.click());
ui.files.addEventListener('change', () => {
  if (ui.files.files) enqueue(ui.files.files);
  ui.files.value = '';
});
for (const type of ['dragenter', 'dragover']) {
  ui.drop.addEventListener(type, (event) => {
    event.preventDefault();
    ui.drop.classList.add('over');
  });
}
for (const type of ['dragleave', 'drop']) ui.drop.addEventListener(type, () => ui.drop.classList.remove('over'));
ui.drop.addEventListener('drop', (event) => {
  event.preventDefault();
  if (event.dataTransfer) enqueue(event.dataTransfer.files);
});

// ---- the list ----

/** @type {string | null} */
let nextToken = null;
/** Object URLs of the previews on screen, released when the list is drawn again. */
const objectUrls = new Set();

/** @param {boolean} fromStart */
async function loadAssets(fromStart) {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (!fromStart && nextToken) query.set('token', nextToken);
  ui.listStatus.textContent = 'Loading…';
  const page = await api('GET', `/v3/assets?${query}`);
  if (fromStart) {
    for (const url of objectUrls) URL.revokeObjectURL(url);
    objectUrls.clear();
    ui.list.replaceChildren();
  }
  for (const asset of /** @type {Asset[]} */ (page.data)) ui.list.append(card(asset));
  nextToken = page.next_token;
  ui.more.hidden = !page.has_more;
  const count = ui.list.children.length;
  ui.listStatus.textContent = count === 0 ? 'No assets yet: upload one above.' : `${count} asset${count === 1 ? '' : 's'}${page.has_more ? ' (more below)' : ''}, newest first.`;
}

/** @param {Asset} asset */
function card(asset) {
  const item = document.createElement('li');
  item.className = 'card';
  item.dataset.assetId = asset.asset_id;
  const preview = document.createElement('div');
  preview.className = 'preview';
  preview.append(previewOf(asset));

  const info = document.createElement('div');
  info.className = 'info';
  const name = document.createElement('h3');
  name.className = 'name';
  name.textContent = asset.name;
  const facts = document.createElement('p');
  facts.className = 'facts';
  facts.textContent = [asset.mime_type, formatBytes(asset.size_bytes), sizeOrLength(asset)].filter(Boolean).join(' · ');
  const status = document.createElement('p');
  status.className = `status ${asset.status}`;
  status.textContent = `${asset.status.replace('_', ' ')} · ${new Date(asset.created_at).toLocaleString()}`;
  const id = document.createElement('p');
  id.className = 'id';
  id.textContent = asset.asset_id;
  info.append(name, facts, status, id);

  const actions = document.createElement('div');
  actions.className = 'actions';
  actions.append(
    button('Copy ID', `Copy the asset ID of ${asset.name}`, () => copy(asset.asset_id, `the ID of ${asset.name}`)),
    button('Copy URL', `Copy the URL of ${asset.name}`, () => asset.url && copy(asset.url, `the URL of ${asset.name}`), !asset.url),
    button('Delete', `Delete ${asset.name}`, () => confirmDelete(asset, item), false, 'danger'),
  );
  item.append(preview, info, actions);
  return item;
}

/**
 * @param {string} text
 * @param {string} label
 * @param {() => unknown} onClick
 * @param {boolean} [disabled]
 * @param {string} [className]
 */
function button(text, label, onClick, disabled = false, className = '') {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = text;
  element.setAttribute('aria-label', label);
  element.disabled = disabled;
  if (className) element.className = className;
  element.addEventListener('click', onClick);
  return element;
}

/** @param {Asset} asset */
function previewOf(asset) {
  if (asset.status !== 'completed' || !asset.url) return placeholder(asset.status.replace('_', ' '));
  if (asset.type === 'image') {
    const img = document.createElement('img');
    img.alt = `Preview of ${asset.name}`;
    img.decoding = 'async';
    // The preview needs the key, which an <img src> cannot send: fetched, then shown from memory.
    void loadPreview(asset, img);
    return img;
  }
  if (asset.type === 'video') {
    const video = document.createElement('video');
    video.controls = true;
    video.preload = 'metadata';
    video.muted = true;
    video.src = asset.url;
    video.setAttribute('aria-label', `Video ${asset.name}`);
    return video;
  }
  if (asset.type === 'audio') {
    const audio = document.createElement('audio');
    audio.controls = true;
    audio.preload = 'none';
    audio.src = asset.url;
    audio.setAttribute('aria-label', `Audio ${asset.name}`);
    return audio;
  }
  return placeholder(asset.type === 'document' ? 'PDF' : asset.type === 'archive' ? 'ZIP' : asset.type === 'subtitle' ? 'SRT' : asset.type, true);
}

/**
 * @param {Asset} asset
 * @param {HTMLImageElement} img
 */
async function loadPreview(asset, img) {
  try {
    const response = await fetch(`/v3/assets/${encodeURIComponent(asset.asset_id)}/preview?width=${PREVIEW_WIDTH}&format=webp`, {
      headers: { 'x-api-key': apiKey() },
    });
    if (!response.ok) throw new Error(String(response.status));
    const url = URL.createObjectURL(await response.blob());
    objectUrls.add(url);
    img.src = url;
  } catch {
    img.replaceWith(placeholder('no preview'));
  }
}

/**
 * @param {string} text
 * @param {boolean} [icon]
 */
function placeholder(text, icon = false) {
  const box = document.createElement('div');
  box.className = icon ? 'placeholder icon' : 'placeholder';
  box.textContent = text;
  return box;
}

/** @param {Asset} asset */
function sizeOrLength(asset) {
  const parts = [];
  if (asset.width && asset.height) parts.push(`${asset.width} × ${asset.height} px`);
  if (asset.duration_seconds !== undefined) {
    const total = Math.round(asset.duration_seconds);
    parts.push(`${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`);
  }
  return parts.join(' · ');
}

/** @param {number} bytes */
function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** @param {unknown} error */
function describe(error) {
  if (error instanceof ApiError) return `${error.message} (${error.status} ${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

ui.refresh.addEventListener('click', () => void loadAssets(true).catch(showError));
ui.more.addEventListener('click', () => void loadAssets(false).catch(showError));

/** @param {unknown} error */
function showError(error) {
  if (error instanceof ApiError && error.status === 401) return signOut('The server refused this key (401 unauthorized).');
  toast(`Failed: ${describe(error)}`);
}

// ---- copy and delete ----

/**
 * @param {string} text
 * @param {string} what
 */
async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    toast(`Copied ${what}.`);
  } catch {
    toast(`Could not copy ${what}; here it is: ${text}`);
  }
}

/**
 * @param {Asset} asset
 * @param {HTMLElement} item
 */
function confirmDelete(asset, item) {
  ui.confirmText.textContent = `${asset.name} (${asset.asset_id}) will be deleted, and its URL will stop working. This cannot be undone.`;
  const opener = document.activeElement;
  ui.confirm.returnValue = '';
  ui.confirm.showModal();
  ui.confirmCancel.focus();
  ui.confirm.addEventListener(
    'close',
    async () => {
      if (ui.confirm.returnValue !== 'delete') {
        if (opener instanceof HTMLElement) opener.focus();
        return;
      }
      try {
        await api('DELETE', `/v3/assets/${encodeURIComponent(asset.asset_id)}`);
        const next = item.nextElementSibling ?? item.previousElementSibling;
        item.remove();
        toast(`Deleted ${asset.name}.`);
        const focusable = next?.querySelector('button');
        if (focusable) focusable.focus();
        else ui.refresh.focus();
      } catch (error) {
        showError(error);
      }
    },
    { once: true },
  );
}

ui.confirmCancel.addEventListener('click', () => ui.confirm.close('cancel'));
ui.confirmDelete.addEventListener('click', () => ui.confirm.close('delete'));

/** @type {ReturnType<typeof setTimeout> | undefined} */
let toastTimer;
/** @param {string} message */
function toast(message) {
  ui.toast.textContent = message;
  ui.toast.classList.add('shown');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => ui.toast.classList.remove('shown'), 6000);
}

if (apiKey()) void start();
else ui.keyInput.focus();
