-- Jobs, events and webhooks: what the worker and the scheduled functions need.
--
-- The worker handles messages that name a job but not its org, and the scheduled functions work
-- across every org. Both go through the narrow SECURITY DEFINER functions below, each doing one
-- thing; every other statement of the worker runs in a transaction scoped to the job's org, under
-- row-level security like a request.

-- Events are followed in (tx, seq) order: every transaction below the reader's xmin has ended, so
-- a follower that only reads below it never skips an event that commits late.
CREATE INDEX events_org_tx_seq_idx ON events (org_id, tx, seq);
CREATE INDEX jobs_org_client_created_idx ON jobs (org_id, client_id, created_at DESC, id DESC);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
CREATE INDEX webhooks_org_active_idx ON webhooks (org_id) WHERE is_active;
CREATE INDEX webhook_deliveries_job_idx ON webhook_deliveries (job_id);

-- The org of a job, so a worker holding only a job id can open the job's org transaction.
CREATE FUNCTION job_org(p_job_id uuid) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT org_id FROM jobs WHERE id = p_job_id
$$;

-- Jobs a worker should look at: queued and due for at least `p_grace` (their message was lost or
-- delayed), or running under an expired lease (their worker died). Oldest first.
CREATE FUNCTION jobs_due(p_grace interval, p_limit integer)
RETURNS TABLE (job_id uuid, org_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT id, org_id FROM jobs
    WHERE (status = 'queued' AND run_after <= now() - p_grace)
       OR (status = 'running' AND lease_expires_at < now())
    ORDER BY run_after
    LIMIT p_limit
$$;

-- Connections the hourly health check asks Nango about.
CREATE FUNCTION connections_to_check()
RETURNS TABLE (org_id uuid, client_id uuid, connection_id uuid, nango_connection_id text,
               nango_provider_config_key text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT c.org_id, c.client_id, c.id, c.nango_connection_id, c.nango_provider_config_key
    FROM crm_connections c
    JOIN organizations o ON o.id = c.org_id AND o.is_active
    JOIN clients cl ON cl.id = c.client_id AND cl.is_active
    WHERE c.status = 'connected' AND c.nango_connection_id IS NOT NULL
    ORDER BY c.org_id, c.id
$$;

-- Connections the nightly topology refresh pulls.
CREATE FUNCTION connections_to_refresh()
RETURNS TABLE (org_id uuid, client_id uuid, connection_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT c.org_id, c.client_id, c.id
    FROM crm_connections c
    JOIN organizations o ON o.id = c.org_id AND o.is_active
    JOIN clients cl ON cl.id = c.client_id AND cl.is_active
    WHERE c.status = 'connected' AND c.auto_refresh
    ORDER BY c.org_id, c.id
$$;

-- Nulls the payload of push logs older than the retention; counts and errors stay.
CREATE FUNCTION purge_push_payloads(p_retention_days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    n bigint;
BEGIN
    UPDATE crm_push_logs SET payload = NULL, payload_purged_at = now()
    WHERE payload IS NOT NULL
      AND created_at < now() - make_interval(days => p_retention_days);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Idempotency keys live 24 hours; the sweeper forgets expired ones.
CREATE FUNCTION purge_idempotency_keys() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    n bigint;
BEGIN
    DELETE FROM idempotency_keys WHERE expires_at < now();
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

REVOKE ALL ON FUNCTION job_org(uuid) FROM PUBLIC;
REVOKE ALL ON FUNCTION jobs_due(interval, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION connections_to_check() FROM PUBLIC;
REVOKE ALL ON FUNCTION connections_to_refresh() FROM PUBLIC;
REVOKE ALL ON FUNCTION purge_push_payloads(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION purge_idempotency_keys() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION job_org(uuid) TO sfdc_app;
GRANT EXECUTE ON FUNCTION jobs_due(interval, integer) TO sfdc_app;
GRANT EXECUTE ON FUNCTION connections_to_check() TO sfdc_app;
GRANT EXECUTE ON FUNCTION connections_to_refresh() TO sfdc_app;
GRANT EXECUTE ON FUNCTION purge_push_payloads(integer) TO sfdc_app;
GRANT EXECUTE ON FUNCTION purge_idempotency_keys() TO sfdc_app;
