-- The checkpoint witness by e-mail (issue 40): each checkpoint's signed heads, never the
-- entries, go to an address outside this machine (AP_CHECKPOINT_WITNESS_EMAIL) in a daily
-- digest and at each handover, through the outbox like every other message.
ALTER TABLE notification DROP CONSTRAINT notification_event_is_known;
ALTER TABLE notification ADD CONSTRAINT notification_event_is_known CHECK (event IN (
    'referral_received', 'information_requested', 'referral_accepted', 'referral_rejected',
    'referral_unable_to_match', 'referral_offered', 'booking_made', 'booking_changed', 'booking_cancelled',
    'arrived', 'not_arrived', 'breach_escalated', 'breach_outcome', 'departed', 'ended_early', 'move_on_due',
    'transfer_requested', 'transfer_booked', 'transfer_refused', 'emergency_transfer', 'appeal_made', 'appeal_decided',
    'second_factor_reset', 'checkpoint_witness'));
ALTER TABLE notification DROP CONSTRAINT notification_recipient_kind_is_known;
ALTER TABLE notification ADD CONSTRAINT notification_recipient_kind_is_known
    CHECK (recipient_kind IN ('practitioner', 'cru', 'out_of_hours', 'premises', 'staff', 'witness'));
