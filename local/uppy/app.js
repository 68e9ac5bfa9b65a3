// The demo page's browser code: Uppy's Dashboard with @uppy/aws-s3 pointed at sign-upload's /s3/sign.
// Bundled by esbuild when `npm start` first serves it (local/uppy/bundle.ts); never part of a function bundle.
import AwsS3 from '@uppy/aws-s3';
import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import '../demo/demo.css';
import { watchRecords } from '../demo/records-table.js';

const MiB = 1024 * 1024;
// sign-upload signs each part URL for exactly UPLOAD_MULTIPART_PART_BYTES (5 MiB by default; the rest of the
// file for the last part), so Uppy's chunks must be exactly that size: OSS refuses a part of any other length.
// Uppy raises the chunk size to size / 10,000 for huge files, as sign-upload does.
const PART = 5 * MiB;
const $ = (id) => document.getElementById(id);
const records = watchRecords($('records'), { emptyText: 'No uploads yet: drop a file above.' });

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

// The "Use with Uppy" snippet of README.md, plus `mode` (single uploads as PUT or PostObject form) for the demo.
uppy.use(AwsS3, {
  shouldUseMultipart: (file) => file.size > 2 * PART,
  getChunkSize: () => PART, // exactly UPLOAD_MULTIPART_PART_BYTES
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
          ? { ...request, fileName: file.name, size: file.size, contentType: file.type, mode: $('single-mode').value }
          : request,
      ),
    });
    const answer = await res.json();
    window.signLog.push({ method: request.method, uploadId: Boolean(request.uploadId), status: res.status });
    if (!res.ok) throw new Error(`sign-upload ${res.status}: ${answer.error?.code} ${answer.error?.message}`);
    return answer;
  },
});

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
