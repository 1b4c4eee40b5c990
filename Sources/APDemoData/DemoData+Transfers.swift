import ApprovedPremises
import Foundation

extension DemoData {
    /// Oak Lodge's rooms, and a planned transfer waiting for the referral unit: Dan Evans at Elm
    /// House asks to move nearer his family in Leeds in two weeks. Loaded once: skipped when
    /// there is a transfer.
    func loadTransfers(elm: UUID, oak: UUID, now: Date) async throws {
        if try await pool.query("SELECT 1 AS found FROM transfer LIMIT 1").first != nil { return }
        guard let principal = try await operatorPrincipal(now: now) else { return }
        let today = CalendarDate.today(in: Premises.defaultTimeZone, now: now)
        if try await pool.query("SELECT 1 AS found FROM room WHERE premises_id = \(oak) LIMIT 1").first == nil {
            let csv = """
                room,floor,characteristics,bed,in_use_from
                Room A,Ground,isSingle isGroundFloor isStepFreeDesignated,A1,\(today.adding(days: -400))
                Room B,First,isSingle,B1,\(today.adding(days: -400))
                Room C,First,isSingle,C1,\(today.adding(days: -400))
                Room D,First,isSingle,D1,\(today.adding(days: -400))
                """
            _ = try await stores.rooms.importCSV(csv, premisesID: oak, today: today, by: principal)
        }
        guard
            let dan = try await pool.query(
                "SELECT id FROM placement WHERE premises_id = \(elm) AND crn = 'D100004' AND arrived_at IS NOT NULL AND departed_at IS NULL"
            ).first
        else { return }
        _ = try await stores.transfers.request(
            .init(
                placementID: try dan.decode("id"), reason: "CLOSER_TO_HOME", transferDate: today.adding(days: 14),
                notes: "His sister in Leeds will help him find work; Oak Lodge is a bus ride from her."),
            by: principal, now: now)
    }
}
