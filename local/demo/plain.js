// The plain demo page's browser code (no Uppy): sign with POST /sign, upload straight to the (local) OSS as a
// presigned PUT or a PostObject form, show the callback's answer. The records below keep themselves current.
import './demo.css';
import { watchRecords } from './records-table.js';
import { offerRoutes } from './routes.js';

const $ = (id) => document.getElementById(id);
const records = watchRecords($('records'), { emptyText: 'No uploads yet: choose a file above and press Upload.' });
const routes = offerRoutes($('route'), $('limits'));
let token;

async function devToken() {
  const res = await fetch('/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"sub":"demo-user"}',
  });
  return (await res.json()).token;
}

async function sign(file, mode) {
  token ??= await devToken();
  const album = $('album').value.trim();
  const res = await fetch('/sign', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      filename: file.name,
      contentType: file.type || 'application/octet-stream',
      size: file.size,
      mode,
      route: (await routes).current().name,
      ...(album && (await routes).current().vars.album ? { vars: { album } } : {}),
    }),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${json.error.code}: ${json.error.message}`);
  return json;
}

function send(method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) $('progress').value = Math.round((e.loaded / e.total) * 100);
    };
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText });
    xhr.onerror = () => reject(new Error('network error'));
    xhr.send(body);
  });
}

const OUTCOME = {
  200: (mode) => `Uploaded and recorded (${mode.toUpperCase()}).`,
  // The records table picks the event's record up by itself, moments later.
  203: () => 'Uploaded; the callback failed, so the OSS event records it.',
};

async function upload() {
  const file = $('file').files[0];
  if (!file) return;
  const mode = document.querySelector('input[name=mode]:checked').value;
  $('status').className = '';
  $('status').textContent = 'Signing…';
  $('progress').value = 0;
  try {
    const signed = await sign(file, mode);
    $('status').textContent = `Uploading ${signed.key} …`;
    let result;
    if (mode === 'put') {
      result = await send('PUT', signed.put.url, signed.put.headers, file);
    } else {
      const form = new FormData();
      for (const [name, value] of Object.entries(signed.post.fields)) form.append(name, value);
      form.append('file', file);
      result = await send('POST', signed.post.url, {}, form);
    }
    $('answer').textContent = `HTTP ${result.status}\n${result.body}`;
    $('status').textContent = OUTCOME[result.status]?.(mode) ?? 'Upload failed.';
    if (!OUTCOME[result.status]) $('status').className = 'error';
  } catch (error) {
    $('status').className = 'error';
    $('status').textContent = String(error.message || error);
  }
  await records.refresh();
}

$('upload').addEventListener('click', upload);
