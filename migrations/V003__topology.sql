-- Topology snapshots keep one row per described object, so an unchanged object is copied from the
-- previous snapshot (a 304) instead of being fetched again, and readers load only the objects
-- they ask for. The snapshot row keeps the rest of the document (names, counts, describe errors).

CREATE TABLE crm_topology_objects (
    snapshot_id      uuid NOT NULL REFERENCES crm_topology_snapshots (id) ON DELETE CASCADE,
    object_name      text NOT NULL,
    org_id           uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    describe         jsonb NOT NULL,
    -- Active validation rules (Tooling), `[{name, error_message, error_display_field, active}]`.
    validation_rules jsonb NOT NULL DEFAULT '[]',
    -- When this describe was fetched from Salesforce (kept when a 304 reuses it).
    described_at     timestamptz NOT NULL,
    PRIMARY KEY (snapshot_id, object_name)
);
CREATE INDEX crm_topology_objects_org_idx ON crm_topology_objects (org_id);

-- An object row belongs to its snapshot's org.
CREATE FUNCTION check_topology_object_org() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crm_topology_snapshots
                   WHERE id = NEW.snapshot_id AND org_id = NEW.org_id) THEN
        RAISE EXCEPTION 'snapshot_id does not belong to org_id' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER crm_topology_objects_org_integrity
    BEFORE INSERT OR UPDATE ON crm_topology_objects
    FOR EACH ROW EXECUTE FUNCTION check_topology_object_org();

ALTER TABLE crm_topology_objects ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON crm_topology_objects
    USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON crm_topology_objects TO sfdc_app;
