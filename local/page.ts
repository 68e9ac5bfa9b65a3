/** The plain demo page (no Uppy) served at `/plain` by `npm start`: sign, upload straight to the (local) OSS, see the record. */
import { FAVICON_LINK } from './demo/favicon';

/** Its script and style are local/demo/plain.js and demo.css (bundled by local/demo/assets.ts). */
export const DEMO_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>oss-upload-callback · local demo</title>
${FAVICON_LINK}
<link rel="stylesheet" href="/demo/plain.css">
<style>
  fieldset { border: 1px solid #d0d7de; border-radius: 6px; margin: 0 0 1rem; min-width: 0; }
  label { margin-right: 1rem; white-space: nowrap; } progress { width: 100%; height: 1rem; }
  pre { background: #f6f8fa; padding: .75rem; border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 13px; }
  button { font: inherit; padding: .35rem 1rem; }
</style>
</head>
<body>
<h1>Upload straight to OSS, recorded by the callback (or the OSS event, or the sweep)</h1>
<fieldset>
  <legend>Upload</legend>
  <p><label>route <select id="route"></select></label> <span id="limits" class="limits"></span></p>
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
A failed callback (203) is recorded moments later by the OSS event. The table updates itself; hover a value for
its exact form.</p>
<div class="records-view"><table><tbody id="records"></tbody></table></div>
<script type="module" src="/demo/plain.js"></script>
</body>
</html>
`;
