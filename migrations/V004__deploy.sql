-- Deployments are created by their job: the job id makes the insert idempotent when a job runs
-- again (at-least-once delivery), and links a deployment to the job that follows it.
ALTER TABLE crm_deployments ADD COLUMN job_id uuid;
CREATE UNIQUE INDEX crm_deployments_job_idx ON crm_deployments (job_id) WHERE job_id IS NOT NULL;
