-- The route each upload was signed for (issue "upload routes"): its name as the routes declaration gives it, or
-- `default` for an upload of a deployment without a declaration. Every existing row was signed before routes
-- existed, by the deployment's one route, so the default describes it exactly. An index serves "this user's
-- uploads in this route, newest first" (the app's question, and the replacement of a route that keeps one).
-- Idempotent: safe to run twice.
ALTER TABLE uploads ADD COLUMN IF NOT EXISTS route text NOT NULL DEFAULT 'default';
CREATE INDEX IF NOT EXISTS uploads_user_route_idx ON uploads (user_id, route, created_at DESC);
