//! Where job ids are sent: SQS on AWS (`JOBS_QUEUE_URL`), a channel to the in-process worker
//! locally, or nowhere (the row waits for a poller or the sweeper). The [`Hub`] in `AppState` also
//! wakes callers waiting on a job when a worker of this process finishes one.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::{Notify, OnceCell, mpsc};
use uuid::Uuid;

use crate::config::Config;

/// SQS delays a message by at most 15 minutes; a later retry is found by the sweeper.
const SQS_MAX_DELAY: Duration = Duration::from_secs(900);

/// Why a job id could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("SQS SendMessage failed: {0}")]
    Sqs(String),
    #[error("the in-process worker has stopped")]
    Closed,
}

/// An SQS queue; the client is built on first use from the default AWS configuration unless one
/// is given.
#[derive(Clone)]
pub struct SqsQueue {
    url: String,
    client: Arc<OnceCell<aws_sdk_sqs::Client>>,
}

impl SqsQueue {
    /// The queue at `url`, with the environment's AWS configuration.
    pub fn new(url: impl Into<String>) -> Self {
        SqsQueue {
            url: url.into(),
            client: Arc::new(OnceCell::new()),
        }
    }

    /// The queue at `url` through a given client (tests, other endpoints).
    pub fn with_client(client: aws_sdk_sqs::Client, url: impl Into<String>) -> Self {
        SqsQueue {
            url: url.into(),
            client: Arc::new(OnceCell::new_with(Some(client))),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    async fn client(&self) -> &aws_sdk_sqs::Client {
        self.client
            .get_or_init(|| async {
                let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
                aws_sdk_sqs::Client::new(&sdk)
            })
            .await
    }

    /// Sends `{"job_id": ...}`, delayed by up to 15 minutes.
    pub async fn send(&self, job_id: Uuid, delay: Duration) -> Result<(), QueueError> {
        let body = serde_json::json!({ "job_id": job_id }).to_string();
        let delay = delay.min(SQS_MAX_DELAY).as_secs() as i32;
        self.client()
            .await
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .delay_seconds(delay)
            .send()
            .await
            .map_err(|e| QueueError::Sqs(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?;
        Ok(())
    }
}

/// Where [`Hub::enqueue`] sends.
#[derive(Clone)]
pub enum Queue {
    /// Nothing is sent: the row is found by a database poller or the sweeper.
    Database,
    /// The in-process worker's channel.
    Local(mpsc::UnboundedSender<Uuid>),
    Sqs(SqsQueue),
}

/// The job plumbing of one process: the queue, and a signal for waiters.
pub struct Hub {
    queue: RwLock<Queue>,
    finished: Notify,
}

impl Hub {
    /// SQS when `JOBS_QUEUE_URL` is set; otherwise nothing until an in-process worker installs
    /// its channel with [`Hub::set_queue`].
    pub fn new(config: &Config) -> Hub {
        let queue = match &config.jobs_queue_url {
            Some(url) => Queue::Sqs(SqsQueue::new(url.clone())),
            None => Queue::Database,
        };
        Hub {
            queue: RwLock::new(queue),
            finished: Notify::new(),
        }
    }

    /// Replaces the queue (the local worker installs its channel; tests install a client).
    pub fn set_queue(&self, queue: Queue) {
        *self.queue.write().unwrap_or_else(|e| e.into_inner()) = queue;
    }

    pub fn queue(&self) -> Queue {
        self.queue.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Sends a job id, to be run after `delay`.
    pub async fn enqueue(&self, job_id: Uuid, delay: Duration) -> Result<(), QueueError> {
        match self.queue() {
            Queue::Database => Ok(()),
            Queue::Local(tx) if delay.is_zero() => tx.send(job_id).map_err(|_| QueueError::Closed),
            Queue::Local(tx) => {
                if tx.is_closed() {
                    return Err(QueueError::Closed);
                }
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = tx.send(job_id);
                });
                Ok(())
            }
            Queue::Sqs(q) => q.send(job_id, delay).await,
        }
    }

    /// Tells waiters of this process that some job finished.
    pub fn finished(&self) {
        self.finished.notify_waiters();
    }

    /// Resolves at the next [`Hub::finished`]; create it before checking the row so no signal is
    /// missed in between.
    pub fn notified(&self) -> tokio::sync::futures::Notified<'_> {
        self.finished.notified()
    }
}
