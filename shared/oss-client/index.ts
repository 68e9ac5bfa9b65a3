/** Server-side OSS calls (I/O), over the pure V4 signer in shared/oss. */
export {
  createOssClient,
  type OssClient,
  type OssClientOptions,
  type OssRequest,
  OssRequestError,
  type OssResponse,
} from './client';
export {
  deleteObject,
  headObject,
  type ImageSize,
  imageSize,
  type ListedObject,
  type ListPage,
  listObjectsV2,
  normalizeEtag,
  type ObjectHead,
} from './objects';
