/**
 * The RAM policies each function's role needs, least privilege, for a bucket and the key prefixes uploads go
 * under (one today, UPLOAD_PREFIX; one per route later). Object actions are granted on `<bucket>/<prefix>*`;
 * listing is a bucket action, so it is granted on the bucket and held to the prefixes by `oss:Prefix`.
 * Action names, each as the API reference's "Permissions" table gives it:
 * - PutObject, PostObject, InitiateMultipartUpload, UploadPart, CompleteMultipartUpload: `oss:PutObject`
 *   @see https://www.alibabacloud.com/help/doc-detail/31850.htm ("the oss:PutObject permission is required to
 *   complete a multipart upload task": initiation, parts, combination)
 *   @see https://www.alibabacloud.com/help/en/oss/developer-reference/upload-part (UploadPart → oss:PutObject)
 * - ListParts: `oss:ListParts` @see https://www.alibabacloud.com/help/doc-detail/31998.html
 * - ListMultipartUploads (`GET /?uploads`, a bucket call): `oss:ListMultipartUploads`, on the bucket
 *   @see https://www.alibabacloud.com/help/doc-detail/31997.html. No condition key: the docs name none for it
 *   (`oss:Prefix` is documented for listing objects), and an unmet condition would refuse every create.
 * - AbortMultipartUpload: `oss:AbortMultipartUpload` @see https://help.aliyun.com/en/oss/developer-reference/abortmultipartupload
 * - HeadObject: `oss:GetObject` ("to query object metadata, you must have the oss:GetObject permission")
 *   @see https://help.aliyun.com/en/oss/developer-reference/query-object-metadata
 * - DeleteObject: `oss:DeleteObject` (without a version id) @see https://www.alibabacloud.com/help/doc-detail/31982.htm
 * - ListObjectsV2: `oss:ListObjects`, on the bucket @see https://alibabacloud.com/help/en/oss/developer-reference/listobjectsv2
 * - `StringLike` on `oss:Prefix`, resources `acs:oss:*:*:<bucket>` and `acs:oss:*:*:<bucket>/<path>*`
 *   @see https://www.alibabacloud.com/help/ja/doc-detail/142249.htm (a directory's policy)
 *   @see https://www.alibabacloud.com/help/en/oss/user-guide/authorization-syntax-and-elements
 */

export interface RamStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

export interface RamPolicy {
  Version: '1';
  Statement: RamStatement[];
}

export type FunctionName = 'sign-upload' | 'upload-callback' | 'upload-event';

/** Each function's policy for `bucket` and the key `prefixes` it works under ("" is the whole bucket). */
export function functionPolicies(bucket: string, prefixes: string[]): Record<FunctionName, RamPolicy> {
  // A RAM resource has no escape for its wildcard: a `*` or `?` in a prefix would widen the grant.
  const bad = prefixes.find((p) => /[*?]/.test(p));
  if (bad !== undefined) throw new RangeError(`a key prefix for a RAM policy cannot contain * or ?: ${bad}`);
  const unique = [...new Set(prefixes)].sort();
  const objects = unique.map((p) => `acs:oss:*:*:${bucket}/${p}*`);
  const allow = (Action: string[], Resource = objects): RamStatement => ({ Effect: 'Allow', Action, Resource });
  const policy = (...Statement: RamStatement[]): RamPolicy => ({ Version: '1', Statement });
  return {
    // Presigned PUT and PostObject uploads are made with sign-upload's keys, as are its multipart calls; /s3/create
    // lists the uploads in progress at its key (one live upload per grant), a bucket action.
    'sign-upload': policy(
      allow(['oss:PutObject', 'oss:ListParts', 'oss:AbortMultipartUpload']),
      allow(['oss:ListMultipartUploads'], [`acs:oss:*:*:${bucket}`]),
    ),
    // HeadObject of each callback's object.
    'upload-callback': policy(allow(['oss:GetObject'])),
    // HeadObject, DeleteObject of a rejected object, and the sweep's ListObjectsV2 under the prefixes.
    'upload-event': policy(allow(['oss:GetObject', 'oss:DeleteObject']), {
      ...allow(['oss:ListObjects'], [`acs:oss:*:*:${bucket}`]),
      Condition: { StringLike: { 'oss:Prefix': unique.map((p) => `${p}*`) } },
    }),
  };
}
