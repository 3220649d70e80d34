-- sfdc-engine-x: the whole schema.
--
-- Tenancy is enforced twice: every query filters by org_id, and row-level security hides other
-- orgs' rows from the service role `sfdc_app`, which owns nothing. Each request runs in a
-- transaction that sets `app.org_id` (SET LOCAL); the policies below compare against it. Look-ups
-- that must run before the org is known (API token hash, login) go through narrow SECURITY DEFINER
-- functions. No OAuth token, API token, password or webhook secret is stored in clear: only hashes.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sfdc_app') THEN
        CREATE ROLE sfdc_app NOLOGIN;
    END IF;
END
$$;

-- The org of the current transaction, or NULL when none is set.
CREATE FUNCTION app_org_id() RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT NULLIF(current_setting('app.org_id', true), '')::uuid
$$;

-- ---------------------------------------------------------------------------------------------
-- Enums
-- ---------------------------------------------------------------------------------------------
CREATE TYPE user_role AS ENUM ('org_admin', 'company_admin', 'company_member');
CREATE TYPE connection_status AS ENUM ('pending', 'connected', 'expired', 'revoked', 'error');
CREATE TYPE deployment_status AS ENUM
    ('pending', 'in_progress', 'succeeded', 'partial', 'failed', 'rolled_back', 'rollback_failed');
CREATE TYPE deployment_type AS ENUM
    ('custom_object', 'custom_field', 'workflow', 'assignment_rule', 'layout', 'other', 'report',
     'dashboard');
CREATE TYPE conflict_severity AS ENUM ('green', 'yellow', 'red');
CREATE TYPE push_status AS ENUM ('queued', 'in_progress', 'succeeded', 'partial', 'failed');
CREATE TYPE job_status AS ENUM ('queued', 'running', 'succeeded', 'failed', 'canceled');
CREATE TYPE delivery_status AS ENUM ('pending', 'succeeded', 'failed');

-- ---------------------------------------------------------------------------------------------
-- Trigger functions
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION update_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END
$$;

-- The row's client (and, when present, its connection and topology snapshot) must belong to the
-- row's org and client. SECURITY DEFINER so the check sees the truth whatever the caller's RLS.
CREATE FUNCTION check_client_org_integrity() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    rec jsonb := to_jsonb(NEW);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM clients WHERE id = NEW.client_id AND org_id = NEW.org_id) THEN
        RAISE EXCEPTION 'client_id does not belong to org_id' USING ERRCODE = '23514';
    END IF;
    IF rec ? 'connection_id' AND rec->>'connection_id' IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM crm_connections
                       WHERE id = (rec->>'connection_id')::uuid
                         AND org_id = NEW.org_id AND client_id = NEW.client_id) THEN
            RAISE EXCEPTION 'connection_id does not belong to org_id and client_id'
                USING ERRCODE = '23514';
        END IF;
    END IF;
    IF rec ? 'topology_snapshot_id' AND rec->>'topology_snapshot_id' IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM crm_topology_snapshots
                       WHERE id = (rec->>'topology_snapshot_id')::uuid
                         AND org_id = NEW.org_id AND client_id = NEW.client_id) THEN
            RAISE EXCEPTION 'topology_snapshot_id does not belong to org_id and client_id'
                USING ERRCODE = '23514';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION check_user_client_org_integrity() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF NEW.client_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM clients WHERE id = NEW.client_id AND org_id = NEW.org_id) THEN
        RAISE EXCEPTION 'client_id does not belong to org_id' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION check_deployment_conflict_report_integrity() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF NEW.conflict_report_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM crm_conflict_reports
                       WHERE id = NEW.conflict_report_id
                         AND org_id = NEW.org_id AND client_id = NEW.client_id) THEN
        RAISE EXCEPTION 'conflict_report_id does not belong to org_id' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END
$$;

-- The version moves only when the mapping's content changes (not on a no-op update).
CREATE FUNCTION increment_crm_field_mappings_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.sfdc_object IS DISTINCT FROM OLD.sfdc_object
       OR NEW.field_mappings IS DISTINCT FROM OLD.field_mappings
       OR NEW.external_id_field IS DISTINCT FROM OLD.external_id_field THEN
        NEW.mapping_version = OLD.mapping_version + 1;
    ELSE
        NEW.mapping_version = OLD.mapping_version;
    END IF;
    RETURN NEW;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Identity
-- ---------------------------------------------------------------------------------------------
CREATE TABLE organizations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL,
    slug        text NOT NULL,
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_slug_key UNIQUE (slug)
);
CREATE TRIGGER organizations_updated_at BEFORE UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();

CREATE TABLE clients (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name        text NOT NULL,
    domain      text,
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clients_org_domain_key UNIQUE (org_id, domain)
);
CREATE INDEX clients_org_created_idx ON clients (org_id, created_at DESC, id DESC);
CREATE TRIGGER clients_updated_at BEFORE UPDATE ON clients
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id     uuid REFERENCES clients (id) ON DELETE CASCADE,
    email         text NOT NULL,
    name          text,
    role          user_role NOT NULL DEFAULT 'company_member',
    password_hash text,
    is_active     boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_org_email_key UNIQUE (org_id, email),
    CONSTRAINT users_email_normalised CHECK (email = lower(btrim(email))),
    CONSTRAINT users_role_scope CHECK ((role = 'org_admin') = (client_id IS NULL))
);
CREATE INDEX users_org_created_idx ON users (org_id, created_at DESC, id DESC);
CREATE INDEX users_client_idx ON users (client_id);
CREATE INDEX users_email_idx ON users (email);
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();
CREATE TRIGGER users_client_org_integrity BEFORE INSERT OR UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION check_user_client_org_integrity();

CREATE TABLE api_tokens (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash    text NOT NULL,
    label         text,
    expires_at    timestamptz,
    last_used_at  timestamptz,
    is_active     boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_org_created_idx ON api_tokens (org_id, created_at DESC, id DESC);

-- ---------------------------------------------------------------------------------------------
-- CRM
-- ---------------------------------------------------------------------------------------------
CREATE TABLE crm_connections (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id                    uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id                 uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    status                    connection_status NOT NULL DEFAULT 'pending',
    instance_url              text,
    sfdc_org_id               text,
    sfdc_user_id              text,
    nango_connection_id       text,
    nango_provider_config_key text,
    auto_refresh              boolean NOT NULL DEFAULT false,
    api_usage_used            bigint,
    api_usage_max             bigint,
    api_usage_observed_at     timestamptz,
    last_refreshed_at         timestamptz,
    last_used_at              timestamptz,
    error_message             text,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT crm_connections_org_client_key UNIQUE (org_id, client_id)
);
CREATE INDEX crm_connections_org_created_idx ON crm_connections (org_id, created_at DESC, id DESC);
CREATE INDEX crm_connections_client_idx ON crm_connections (client_id);
CREATE INDEX crm_connections_status_idx ON crm_connections (status);
CREATE INDEX crm_connections_nango_idx ON crm_connections (nango_connection_id);
CREATE TRIGGER crm_connections_updated_at BEFORE UPDATE ON crm_connections
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();
CREATE TRIGGER crm_connections_client_org_integrity BEFORE INSERT OR UPDATE ON crm_connections
    FOR EACH ROW EXECUTE FUNCTION check_client_org_integrity();

CREATE TABLE crm_topology_snapshots (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id               uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id            uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    connection_id        uuid NOT NULL REFERENCES crm_connections (id) ON DELETE CASCADE,
    version              integer NOT NULL DEFAULT 1,
    snapshot             jsonb NOT NULL,
    objects_count        integer,
    custom_objects_count integer,
    pulled_at            timestamptz NOT NULL DEFAULT now(),
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT crm_topology_snapshots_version_key UNIQUE (org_id, client_id, version)
);
CREATE INDEX crm_topology_snapshots_connection_idx ON crm_topology_snapshots (connection_id);
CREATE TRIGGER crm_topology_snapshots_client_org_integrity
    BEFORE INSERT OR UPDATE ON crm_topology_snapshots
    FOR EACH ROW EXECUTE FUNCTION check_client_org_integrity();

CREATE TABLE crm_conflict_reports (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id               uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id            uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    connection_id        uuid NOT NULL REFERENCES crm_connections (id) ON DELETE CASCADE,
    topology_snapshot_id uuid REFERENCES crm_topology_snapshots (id),
    deployment_plan      jsonb NOT NULL,
    findings             jsonb NOT NULL,
    overall_severity     conflict_severity NOT NULL,
    green_count          integer NOT NULL DEFAULT 0,
    yellow_count         integer NOT NULL DEFAULT 0,
    red_count            integer NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crm_conflict_reports_org_client_idx ON crm_conflict_reports (org_id, client_id);
CREATE TRIGGER crm_conflict_reports_client_org_integrity
    BEFORE INSERT OR UPDATE ON crm_conflict_reports
    FOR EACH ROW EXECUTE FUNCTION check_client_org_integrity();

CREATE TABLE crm_deployments (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id             uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id          uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    connection_id      uuid NOT NULL REFERENCES crm_connections (id) ON DELETE CASCADE,
    deployed_by        text NOT NULL,
    deployment_type    deployment_type NOT NULL,
    status             deployment_status NOT NULL DEFAULT 'pending',
    plan               jsonb NOT NULL,
    result             jsonb,
    error_message      text,
    conflict_report_id uuid REFERENCES crm_conflict_reports (id),
    sfdc_deploy_id     text,
    deployed_at        timestamptz,
    rolled_back_at     timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crm_deployments_org_client_created_idx
    ON crm_deployments (org_id, client_id, created_at DESC, id DESC);
CREATE INDEX crm_deployments_connection_idx ON crm_deployments (connection_id);
CREATE INDEX crm_deployments_status_idx ON crm_deployments (status);
CREATE TRIGGER crm_deployments_updated_at BEFORE UPDATE ON crm_deployments
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();
CREATE TRIGGER crm_deployments_client_org_integrity BEFORE INSERT OR UPDATE ON crm_deployments
    FOR EACH ROW EXECUTE FUNCTION check_client_org_integrity();
CREATE TRIGGER crm_deployments_conflict_report_integrity
    BEFORE INSERT OR UPDATE ON crm_deployments
    FOR EACH ROW EXECUTE FUNCTION check_deployment_conflict_report_integrity();

CREATE TABLE crm_push_logs (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id            uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id         uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    connection_id     uuid NOT NULL REFERENCES crm_connections (id) ON DELETE CASCADE,
    pushed_by         text,
    status            push_status NOT NULL DEFAULT 'queued',
    object_type       text NOT NULL,
    records_total     integer NOT NULL DEFAULT 0,
    records_succeeded integer NOT NULL DEFAULT 0,
    records_failed    integer NOT NULL DEFAULT 0,
    payload           jsonb,
    result            jsonb,
    error_message     text,
    payload_purged_at timestamptz,
    started_at        timestamptz,
    completed_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crm_push_logs_org_client_created_idx
    ON crm_push_logs (org_id, client_id, created_at DESC, id DESC);
CREATE INDEX crm_push_logs_connection_idx ON crm_push_logs (connection_id);
CREATE INDEX crm_push_logs_status_idx ON crm_push_logs (status);
CREATE TRIGGER crm_push_logs_updated_at BEFORE UPDATE ON crm_push_logs
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();
CREATE TRIGGER crm_push_logs_client_org_integrity BEFORE INSERT OR UPDATE ON crm_push_logs
    FOR EACH ROW EXECUTE FUNCTION check_client_org_integrity();

CREATE TABLE crm_field_mappings (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id            uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id         uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    canonical_object  text NOT NULL,
    sfdc_object       text NOT NULL,
    field_mappings    jsonb NOT NULL DEFAULT '{}'::jsonb,
    external_id_field text,
    is_active         boolean NOT NULL DEFAULT true,
    mapping_version   integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT crm_field_mappings_key UNIQUE (org_id, client_id, canonical_object)
);
CREATE INDEX crm_field_mappings_client_idx ON crm_field_mappings (client_id);
CREATE TRIGGER crm_field_mappings_updated_at BEFORE UPDATE ON crm_field_mappings
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();
CREATE TRIGGER crm_field_mappings_version BEFORE UPDATE ON crm_field_mappings
    FOR EACH ROW EXECUTE FUNCTION increment_crm_field_mappings_version();
CREATE TRIGGER crm_field_mappings_client_org_integrity BEFORE INSERT OR UPDATE ON crm_field_mappings
    FOR EACH ROW EXECUTE FUNCTION check_client_org_integrity();

-- ---------------------------------------------------------------------------------------------
-- Jobs, events, webhooks
-- ---------------------------------------------------------------------------------------------
CREATE TABLE jobs (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id           uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id        uuid REFERENCES clients (id) ON DELETE CASCADE,
    kind             text NOT NULL,
    status           job_status NOT NULL DEFAULT 'queued',
    payload          jsonb NOT NULL DEFAULT '{}'::jsonb,
    result           jsonb,
    error            jsonb,
    progress_done    bigint NOT NULL DEFAULT 0,
    progress_total   bigint,
    attempts         integer NOT NULL DEFAULT 0,
    max_attempts     integer NOT NULL DEFAULT 5,
    run_after        timestamptz NOT NULL DEFAULT now(),
    lease_token      uuid,
    lease_expires_at timestamptz,
    created_by       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_org_created_idx ON jobs (org_id, created_at DESC, id DESC);
CREATE INDEX jobs_runnable_idx ON jobs (run_after) WHERE status IN ('queued', 'running');
CREATE TRIGGER jobs_updated_at BEFORE UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();

CREATE TABLE idempotency_keys (
    org_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    key          text NOT NULL,
    job_id       uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    request_hash text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL DEFAULT now() + interval '24 hours',
    PRIMARY KEY (org_id, key)
);

-- Events are an append-only log. `seq` orders them; `tx` lets a reader stop before events of
-- transactions still in flight, so a follower never skips one that commits late.
CREATE TABLE events (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigserial NOT NULL UNIQUE,
    tx          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id   uuid REFERENCES clients (id) ON DELETE CASCADE,
    type        text NOT NULL,
    subject_id  uuid,
    data        jsonb NOT NULL DEFAULT '{}'::jsonb,
    occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_org_seq_idx ON events (org_id, seq);

-- A webhook's signing secret is derived from a server-side key and the webhook id; only its hash
-- is kept here.
CREATE TABLE webhooks (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id   uuid REFERENCES clients (id) ON DELETE CASCADE,
    url         text NOT NULL,
    types       text[],
    secret_hash text NOT NULL,
    is_active   boolean NOT NULL DEFAULT true,
    created_by  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_org_created_idx ON webhooks (org_id, created_at DESC, id DESC);
CREATE TRIGGER webhooks_updated_at BEFORE UPDATE ON webhooks
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();

CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id           uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    webhook_id       uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    job_id           uuid REFERENCES jobs (id) ON DELETE SET NULL,
    status           delivery_status NOT NULL DEFAULT 'pending',
    attempts         integer NOT NULL DEFAULT 0,
    last_status_code integer,
    last_error       text,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_deliveries_dedupe_key UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_org_idx ON webhook_deliveries (org_id, created_at DESC);
CREATE TRIGGER webhook_deliveries_updated_at BEFORE UPDATE ON webhook_deliveries
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Row-level security: one policy per tenant table, against the transaction's org.
-- ---------------------------------------------------------------------------------------------
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON organizations USING (id = app_org_id()) WITH CHECK (id = app_org_id());

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'clients', 'users', 'api_tokens', 'crm_connections', 'crm_topology_snapshots',
        'crm_conflict_reports', 'crm_deployments', 'crm_push_logs', 'crm_field_mappings', 'jobs',
        'idempotency_keys', 'events', 'webhooks', 'webhook_deliveries']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant ON %I USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id())',
            t);
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Narrow look-ups that run before the org is known.
-- ---------------------------------------------------------------------------------------------

-- The principal behind an API token hash, or no row. `touch` stamps last_used_at (the caller
-- decides how often; the WHERE keeps it to once a minute at most anyway).
CREATE FUNCTION auth_api_token(p_token_hash text, p_touch boolean)
RETURNS TABLE (token_id uuid, org_id uuid, user_id uuid, role user_role, client_id uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    RETURN QUERY
        SELECT t.id, t.org_id, t.user_id, u.role, u.client_id
        FROM api_tokens t
        JOIN users u ON u.id = t.user_id AND u.org_id = t.org_id
        JOIN organizations o ON o.id = t.org_id
        WHERE t.token_hash = p_token_hash
          AND t.is_active AND u.is_active AND o.is_active
          AND (t.expires_at IS NULL OR t.expires_at > now());
    IF p_touch AND FOUND THEN
        UPDATE api_tokens SET last_used_at = now()
        WHERE token_hash = p_token_hash
          AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');
    END IF;
END
$$;

-- Active users with this (normalised) email, in active orgs, with their password hashes.
CREATE FUNCTION auth_login_candidates(p_email text)
RETURNS TABLE (user_id uuid, org_id uuid, role user_role, client_id uuid, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT u.id, u.org_id, u.role, u.client_id, u.password_hash
    FROM users u
    JOIN organizations o ON o.id = u.org_id
    WHERE u.email = lower(btrim(p_email)) AND u.is_active AND o.is_active
    ORDER BY u.created_at
$$;

-- Whether a local user exists and is active (session principals may come from an external IdP).
CREATE FUNCTION auth_user_active(p_org_id uuid, p_user_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT EXISTS (SELECT 1 FROM users WHERE id = p_user_id AND org_id = p_org_id AND is_active)
$$;

-- ---------------------------------------------------------------------------------------------
-- The service role: data rights on every table, no ownership, subject to RLS.
-- ---------------------------------------------------------------------------------------------
GRANT USAGE ON SCHEMA public TO sfdc_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO sfdc_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO sfdc_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO sfdc_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO sfdc_app;
REVOKE ALL ON FUNCTION auth_api_token(text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION auth_login_candidates(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION auth_user_active(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_api_token(text, boolean) TO sfdc_app;
GRANT EXECUTE ON FUNCTION auth_login_candidates(text) TO sfdc_app;
GRANT EXECUTE ON FUNCTION auth_user_active(uuid, uuid) TO sfdc_app;
