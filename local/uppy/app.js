// The demo page's browser code: Uppy's Dashboard with @uppy/aws-s3 pointed at sign-upload's /s3/sign.
// Bundled by esbuild when `npm start` first serves it (local/uppy/bundle.ts); never part of a function bundle.
import AwsS3 from '@uppy/aws-s3';
import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import '../demo/demo.css';
import { watchRecords } from '../demo/records-table.js';
import { offerRoutes } from '../demo/routes.js';

const $ = (id) => document.getElementById(id);
const records = watchRecords($('records'), { emptyText: 'No uploads yet: drop a file above.' });
const routes = await offerRoutes($('route'), $('limits'));
/** A file's route: the one chosen when it was added (its meta), sent to sign-upload with each new upload. */
const routeOf = (file) => routes.byName(file.meta.route) ?? routes.current();

let jwt;
async function devToken() {
  const res = await fetch('/dev/token', { method: 'POST', body: '{"sub":"demo-user"}' });
  return (await res.json()).token;
}

const uppy = new Uppy({ id: 'demo', autoProceed: false });
uppy.use(Dashboard, {
  inline: true,
  target: '#uppy',
  width: '100%',
  height: 360,
  showProgressDetails: true,
  proudlyDisplayPoweredByUppy: false,
});

uppy.on('file-added', (file) => uppy.setFileMeta(file.id, { route: $('route').value }));

/** Multipart when the route takes only that, or the file is over two parts and the route takes it. */
function shouldUseMultipart(file) {
  const route = routeOf(file);
  if (!route.uploads.includes('multipart')) return false;
  return !(route.uploads.includes('put') || route.uploads.includes('post')) || file.size > 2 * route.partBytes;
}

// The Uppy snippet of docs/integrate.md, plus `mode` (single uploads as PUT or PostObject form) for the demo.
uppy.use(AwsS3, {
  shouldUseMultipart,
  // sign-upload signs each part URL for exactly the route's part size (the rest of the file for the last part),
  // so Uppy's chunks must be exactly that: OSS refuses a part of any other length. Uppy asks with the size only,
  // so the chosen route's is used (the demo's routes all take 5 MiB parts). Uppy raises the chunk size to
  // size / 10,000 for huge files, as sign-upload does.
  getChunkSize: () => routes.current().partBytes,
  // sign-upload chooses the real key; proposing the file id lets signRequest find the file again.
  generateObjectKey: (file) => file.id,
  async signRequest(request) {
    const file = uppy.getFile(request.key); // only on PutObject and Create; later requests carry the server's key
    jwt ??= await devToken();
    const res = await fetch('/sign/s3/sign', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
      body: JSON.stringify(
        file
          ? {
              ...request,
              fileName: file.name,
              size: file.size,
              contentType: file.type,
              route: file.meta.route,
              mode: singleMode(routeOf(file)),
            }
          : request,
      ),
    });
    const answer = await res.json();
    window.signLog.push({ method: request.method, uploadId: Boolean(request.uploadId), status: res.status });
    if (!res.ok) throw new Error(`sign-upload ${res.status}: ${answer.error?.code} ${answer.error?.message}`);
    return answer;
  },
});

/** PUT or POST as chosen, when the route takes it; else the single mode it takes. */
function singleMode(route) {
  const chosen = $('single-mode').value;
  return route.uploads.includes(chosen) ? chosen : route.uploads.find((m) => m !== 'multipart');
}

window.uppy = uppy;
window.signLog = [];
window.partsUploaded = 0;
uppy.on('s3-multipart:part-uploaded', () => {
  window.partsUploaded += 1;
});
uppy.on('upload-success', () => records.refresh());
uppy.on('upload-error', (file, error) => {
  $('status').textContent = `${file?.name}: ${error.message}`;
});
