-- 003_refund_actor_role.sql — who asked for a refund, with their role, so
-- that payment.refunded names them even when the janitor's reconciliation
-- finishes a refund the processor did not answer in time (actor_id was
-- there from the start; NULL for both = the system).
ALTER TABLE payments.refunds
	ADD COLUMN actor_role text CHECK (length(actor_role) <= 16);
