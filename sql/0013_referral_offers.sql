-- Least privilege for referrals: an AP manager sees a referral only when it was offered to their
-- premises (by the Central Referral Unit, for them to assess and book) or booked there. An offer
-- is a fact that happened, so the table is append-only; offering again to the same premises is
-- no change.
CREATE TABLE referral_offer (
    referral_id uuid NOT NULL REFERENCES referral (id) ON DELETE RESTRICT,
    premises_id uuid NOT NULL REFERENCES premises (id) ON DELETE RESTRICT,
    staff_id uuid REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (referral_id, premises_id)
);
CREATE INDEX referral_offer_by_premises ON referral_offer (premises_id, referral_id);
CREATE TRIGGER referral_offer_is_append_only
    BEFORE UPDATE OR DELETE ON referral_offer
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();
CREATE TRIGGER referral_offer_is_never_truncated
    BEFORE TRUNCATE ON referral_offer
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only_log();

-- The offer is on the referral's timeline too.
ALTER TABLE referral_event DROP CONSTRAINT referral_event_kind_is_known;
ALTER TABLE referral_event ADD CONSTRAINT referral_event_kind_is_known CHECK (kind IN (
    'submitted', 'accepted', 'rejected', 'information_requested', 'information_given',
    'unable_to_match', 'booked', 'withdrawn', 'offered'));

-- An AP manager's queue: the referrals booked at their premises.
CREATE INDEX placement_referral_by_premises ON placement (premises_id, referral_id) WHERE referral_id IS NOT NULL;
