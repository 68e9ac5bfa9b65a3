/** The demo page served at `/` by `npm start`: Uppy's Dashboard (local/uppy/app.js) and the records below it. */
export const UPPY_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>oss-upload-callback · Uppy demo</title>
<link rel="stylesheet" href="/uppy/app.css">
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1b1f24; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; } td, th { border-bottom: 1px solid #d0d7de; padding: .3rem; text-align: left; word-break: break-all; }
</style>
</head>
<body>
<h1>Upload straight to OSS with Uppy, recorded by the callback</h1>
<p>Files over 10 MiB go as multipart uploads in 5 MiB parts (pause, resume and retry them in the list); smaller
files as one
<label>request: <select id="single-mode"><option value="put">presigned PUT</option><option value="post">PostObject form</option></select></label>.
The <a href="/plain">plain page</a> shows the same flow without Uppy.</p>
<div id="uppy"></div>
<p id="status" role="status"></p>
<h2>Records</h2>
<table><thead><tr><th>key</th><th>size</th><th>type</th><th>etag</th><th>operation</th><th>user</th><th>learned by</th></tr></thead>
<tbody id="records"></tbody></table>
<script type="module" src="/uppy/app.js"></script>
</body>
</html>
`;
