/** The plain demo page (no Uppy) served at `/plain` by `npm start`: sign, upload straight to the (local) OSS, see the record. */
export const DEMO_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>oss-upload-callback · local demo</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1b1f24; }
  h1 { font-size: 1.4rem; } fieldset { border: 1px solid #d0d7de; border-radius: 6px; margin: 0 0 1rem; }
  label { margin-right: 1rem; } progress { width: 100%; height: 1rem; }
  pre { background: #f6f8fa; padding: .75rem; border-radius: 6px; white-space: pre-wrap; word-break: break-all; font-size: 13px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; } td, th { border-bottom: 1px solid #d0d7de; padding: .3rem; text-align: left; }
  button { font: inherit; padding: .35rem 1rem; } .error { color: #cf222e; }
</style>
</head>
<body>
<h1>Upload straight to OSS, recorded by the callback (or the OSS event, or the sweep)</h1>
<fieldset>
  <legend>Upload</legend>
  <p><input type="file" id="file"></p>
  <p>
    <label><input type="radio" name="mode" value="put" checked> presigned PUT</label>
    <label><input type="radio" name="mode" value="post"> PostObject form</label>
    <label>album <input id="album" value="demo" size="12"></label>
  </p>
  <p><button id="upload" type="button">Upload</button></p>
  <progress id="progress" max="100" value="0"></progress>
  <p id="status" role="status">Pick a file.</p>
</fieldset>
<h2>Callback answer</h2>
<pre id="answer">(none yet)</pre>
<h2>Records</h2>
<p>Each record says how it was learned: first by which path, and how often by each (callback, OSS event, sweep).
A failed callback (203) is recorded moments later by the OSS event.</p>
<table><thead><tr><th>key</th><th>size</th><th>type</th><th>etag</th><th>user</th><th>vars</th><th>learned by</th></tr></thead>
<tbody id="records"></tbody></table>
<script>
const $ = (id) => document.getElementById(id);
let token;

async function devToken() {
  const res = await fetch('/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sub":"demo-user"}' });
  return (await res.json()).token;
}

async function sign(file, mode) {
  token ??= await devToken();
  const album = $('album').value.trim();
  const res = await fetch('/sign', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
    body: JSON.stringify({ filename: file.name, contentType: file.type || 'application/octet-stream', size: file.size, mode, ...(album ? { vars: { album } } : {}) }),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(json.error.code + ': ' + json.error.message);
  return json;
}

function send(method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) $('progress').value = Math.round((e.loaded / e.total) * 100); };
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText });
    xhr.onerror = () => reject(new Error('network error'));
    xhr.send(body);
  });
}

async function upload() {
  const file = $('file').files[0];
  if (!file) return;
  const mode = document.querySelector('input[name=mode]:checked').value;
  $('status').className = '';
  $('status').textContent = 'Signing…';
  $('progress').value = 0;
  try {
    const signed = await sign(file, mode);
    $('status').textContent = 'Uploading ' + signed.key + ' …';
    let result;
    if (mode === 'put') {
      result = await send('PUT', signed.put.url, signed.put.headers, file);
    } else {
      const form = new FormData();
      for (const [name, value] of Object.entries(signed.post.fields)) form.append(name, value);
      form.append('file', file);
      result = await send('POST', signed.post.url, {}, form);
    }
    $('answer').textContent = 'HTTP ' + result.status + '\\n' + result.body;
    $('status').textContent = result.status === 200 ? 'Uploaded and recorded (' + mode.toUpperCase() + ').' : result.status === 203 ? 'Uploaded; the callback failed, so the OSS event records it.' : 'Upload failed.';
    if (result.status !== 200 && result.status !== 203) $('status').className = 'error';
    if (result.status === 203) setTimeout(refresh, 1500);
  } catch (error) {
    $('status').className = 'error';
    $('status').textContent = String(error.message || error);
  }
  await refresh();
}

async function refresh() {
  const records = await (await fetch('/records')).json();
  $('records').replaceChildren(...records.map((r) => {
    const tr = document.createElement('tr');
    const learned = r.firstSource + ' first; callback ' + r.callbackCount + ', event ' + r.eventCount + ', sweep ' + r.sweepCount;
    for (const value of [r.key, r.size, r.mimeType, r.etag, r.user, JSON.stringify(r.vars), learned]) {
      const td = document.createElement('td');
      td.textContent = value;
      tr.append(td);
    }
    return tr;
  }));
}

$('upload').addEventListener('click', upload);
refresh();
</script>
</body>
</html>
`;
