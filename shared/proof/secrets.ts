/**
 * CALLBACK_TOKEN_SECRET and its rotation: which secret signs, which ones still verify, and how a log line names
 * a previous one (never by its value).
 */

/**
 * The secret tokens and grants are signed with, and the previous ones still accepted when verifying them, in
 * order. The current secret or a repeat in the list is ignored, not refused: it is harmless (an operator who
 * lists the old secret before setting the new one), and never worth a function that fails its cold start.
 */
export function tokenSecrets(config: { CALLBACK_TOKEN_SECRET: string; CALLBACK_TOKEN_PREVIOUS_SECRETS: string[] }): {
  secret: string;
  previous: readonly string[];
} {
  const secret = config.CALLBACK_TOKEN_SECRET;
  const previous = [...new Set(config.CALLBACK_TOKEN_PREVIOUS_SECRETS)].filter((s) => s !== secret);
  return { secret, previous };
}

/**
 * The log field's value for a token or grant a previous secret verified (`previousSecret`: its position in
 * `tokenSecrets().previous`). Never the secret; the field is not named after one either, or the log's
 * redaction would hide it.
 */
export const verifiedBy = (previousSecret: number) => `previous-${previousSecret}`;
