/**
 * The OSS callback public key, pinned. Never fetched: the key URL arrives in a request header, and fetching it
 * would let anyone supply their own key (and is SSRF). @see ../../../shared/spec/oss-callback.md §7
 * The PEM is identical in cloudreve/Cloudreve pkg/filesystem/driver/oss/callback_test.go,
 * alphasnow/aliyun-oss-appserver-go callback_test.go and aliyun/aliyun-oss-python-sdk issue #272, and verifies
 * the official documentation's example signature.
 */
export const OSS_CALLBACK_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKs/JBGzwUB2aVht4crBx3oIPBLNsjGs
C0fTXv+nvlmklvkcolvpvXLTjaxUHR3W9LXxQ2EHXAJfCB+6H2YF1k8CAwEAAQ==
-----END PUBLIC KEY-----
`;

/** Both URLs occur in real callbacks; compared exactly, never by pattern. */
export const OSS_CALLBACK_PUBLIC_KEY_URLS = [
  'http://gosspublic.alicdn.com/callback_pub_key_v1.pem',
  'https://gosspublic.alicdn.com/callback_pub_key_v1.pem',
] as const;

export const PINNED_CALLBACK_KEYS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(OSS_CALLBACK_PUBLIC_KEY_URLS.map((url) => [url, OSS_CALLBACK_PUBLIC_KEY_PEM])),
);
