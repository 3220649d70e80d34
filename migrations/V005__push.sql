-- Push ledger: every failed record of a push, with Salesforce's error (successes are counted on
-- the log: records_succeeded + records_failed = records_total). The payload purge leaves these.

-- A failure row belongs to its log's org: a composite key instead of a per-row trigger, since a
-- bulk push may write many thousands of rows.
ALTER TABLE crm_push_logs ADD CONSTRAINT crm_push_logs_id_org_key UNIQUE (id, org_id);

CREATE TABLE crm_push_failures (
    push_log_id  uuid NOT NULL,
    org_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- Order of the failure within the push (the ledger's key).
    seq          integer NOT NULL,
    -- Position of the record in the request, when known (collections; bulk results are keyed by
    -- external id since Salesforce does not keep row order).
    record_index integer,
    external_id  text,
    status_code  text NOT NULL,
    message      text NOT NULL,
    fields       text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (push_log_id, seq),
    FOREIGN KEY (push_log_id, org_id) REFERENCES crm_push_logs (id, org_id) ON DELETE CASCADE
);
CREATE INDEX crm_push_failures_org_idx ON crm_push_failures (org_id);

ALTER TABLE crm_push_failures ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON crm_push_failures
    USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON crm_push_failures TO sfdc_app;

-- The purge also strips the records a push job was created with (jobs of kind push.*), so the
-- payload lives nowhere past the retention; counts, results and failures stay.
CREATE OR REPLACE FUNCTION purge_push_payloads(p_retention_days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    n bigint;
BEGIN
    UPDATE crm_push_logs SET payload = NULL, payload_purged_at = now()
    WHERE payload IS NOT NULL
      AND created_at < now() - make_interval(days => p_retention_days);
    GET DIAGNOSTICS n = ROW_COUNT;
    UPDATE jobs SET payload = payload - 'records' - 'updates' - 'links'
    WHERE kind LIKE 'push.%'
      AND status IN ('succeeded', 'failed', 'canceled')
      AND created_at < now() - make_interval(days => p_retention_days)
      AND (payload ? 'records' OR payload ? 'updates' OR payload ? 'links');
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION purge_push_payloads(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_push_payloads(integer) TO sfdc_app;
