/**
 * Processing hooks: each confirmed upload (and its removal or replacement) delivered to the app's endpoint,
 * signed per Standard Webhooks, retried, never lost. The outbox rows are written with the records
 * (shared/records); this folder sends them.
 */
export { hookDeliveryFields, hookTargetFields, hookUrlPublic, leaseMs } from './config';
export { type DeliveryDeps, type DeliverySummary, deliverDue } from './deliver';
export { type HookEvent, type HookRecord, hookEvent, hookRecord, webhookId } from './payload';
export { DEFAULT_RETRY_SCHEDULE, parseSchedule, retryDelay, scheduleSpanMs } from './schedule';
export { isHookSecret, secretKey, webhookHeaders } from './sign';
export { hookTargets } from './targets';
