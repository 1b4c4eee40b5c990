-- A web form's answers, kept for a short while so that every page follows post/redirect/get:
-- a form sent with mistakes is shown again by a GET (with its answers and the mistakes), a
-- check page reads the answers it checks, and a form sent after the sign-in had ended is
-- offered back after signing in again instead of being lost. A draft is bound to the browser
-- that sent it (the hash of a random cookie) and, when known, to the member of staff; it lasts
-- two hours and is never a password. Drafts are not records: nothing is changed by keeping one.
CREATE TABLE form_draft (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    browser_hash bytea NOT NULL CHECK (length(browser_hash) = 32),
    staff_id uuid REFERENCES staff (id),
    path text NOT NULL CHECK (path LIKE '/%'),
    fields jsonb NOT NULL,
    problems jsonb NOT NULL DEFAULT '[]',
    reason text NOT NULL CHECK (reason IN ('refused', 'checked', 'signed_out')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL DEFAULT now() + interval '2 hours'
);
CREATE INDEX form_draft_expires ON form_draft (expires_at);
