"""Operations around the main job: one run at a time (lock), a durable run log, alerts, the scheduler
daemon, warehouse health checks and rebuild from the archive, and test-only fault injection."""
