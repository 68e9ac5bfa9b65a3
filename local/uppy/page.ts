/** The demo page served at `/` by `npm start`: Uppy's Dashboard (local/uppy/app.js) and the records below it. */
import { FAVICON_LINK } from '../demo/favicon';

export const UPPY_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>oss-upload-callback · Uppy demo</title>
${FAVICON_LINK}
<link rel="stylesheet" href="/uppy/app.css">
</head>
<body>
<h1>Upload straight to OSS with Uppy, recorded by the callback</h1>
<p><label>Route: <select id="route"></select></label> <span id="limits" class="limits"></span></p>
<p>Files over two parts go as multipart uploads in the route's part size, 5 MiB unless it says otherwise (pause,
resume and retry them in the list); smaller files as one
<label>request: <select id="single-mode"><option value="put">presigned PUT</option><option value="post">PostObject form</option></select></label>,
where the route takes both. A file added goes to the route chosen then (its <code>meta.route</code>).
The <a href="/plain">plain page</a> shows the same flow without Uppy.</p>
<div id="uppy"></div>
<p id="status" role="status"></p>
<h2>Records</h2>
<div class="records-view"><table><tbody id="records"></tbody></table></div>
<script type="module" src="/uppy/app.js"></script>
</body>
</html>
`;
