import APClient
import APServer
import ApprovedPremises
import Foundation
import Logging
import Postgres

/// The outbox's two figures: a booking with the e-mail it writes beside the same booking with the
/// outbox off (`ap.outbox = off`, the same statements less the messages), and delivery through the
/// mail transfer agent beside handing the same messages to it without the database.
struct BenchMail {
    let pool: PostgresPool
    let principal: Principal
    let runs: Int

    /// Bookings of referrals ready to match, one night each on nights nobody else books, each
    /// referral made and accepted untimed: pairs of bookings, one with its e-mail and one without,
    /// in turn; the medians.
    func booking() async throws -> [String] {
        var settings = ConnectionSettings.fromEnvironment()
        settings.sessionSettings = [(name: "ap.outbox", value: "off")]
        let quiet = PostgresPool(settings: settings, maxConnections: 2)
        do {
            let premises: UUID = try await pool.query("SELECT id FROM premises WHERE code = 'NAT-001'")[0].decode("id")
            let start =
                try await pool.query(
                    "SELECT max(expected_departure) AS last FROM placement WHERE crn LIKE 'Q%' AND person_name = 'Bench Booking'"
                ).first.flatMap { try $0.decode("last", as: CalendarDate?.self) } ?? CalendarDate("2031-01-01")!
            let written = {
                try await pool.query("SELECT count(*)::integer AS n FROM notification WHERE event = 'booking_made'")[0].decode(
                    "n", as: Int.self)
            }
            let before = try await written()
            var withMail = [Double]()
            var without = [Double]()
            let pairs = max(runs * 10, 40)
            for index in 0..<(pairs * 2) {
                // Pair by pair, which goes first alternates, so that neither always follows the other.
                let mailed = (index % 2 == 0) == ((index / 2) % 2 == 0)
                let store = ReferralStore(pool: mailed ? pool : quiet)
                let night = start.adding(days: index + 1)
                let referral = try await store.create(
                    ReferralDetails(
                        crn: String(format: "Q%06d", Int.random(in: 0...999_999)), personName: "Bench Booking",
                        dateOfBirth: CalendarDate("1985-06-01")!, gender: "man", referrerName: "Benchmark",
                        referrerEmail: "bench@probation.example", referrerRegion: "NW", releaseType: "licence", expectedArrival: night,
                        lengthOfStayDays: 1, roshOverall: "medium", homeDistrict: "M14"),
                    by: principal, today: night.adding(days: -14))
                _ = try await store.decide(referral.id, .accept(note: nil), expectedVersion: nil, by: principal)
                let clock = ContinuousClock()
                let took = try await clock.measure {
                    _ = try await store.book(
                        referral.id, premisesID: premises, bedID: nil, arrival: night, departure: night.adding(days: 1), by: principal)
                }
                let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
                if mailed { withMail.append(seconds) } else { without.append(seconds) }
            }
            await quiet.close()
            let perBooking = Double(try await written() - before) / Double(pairs)
            let (ours, baseline) = (Self.median(withMail), Self.median(without))
            return [
                "booking with its e-mail (ReferralStore.book)", Bench.ms(ours), Bench.ms(baseline), Bench.ratio(ours, baseline),
                String(
                    format: "%.1f messages a booking (referral made and accepted untimed); baseline: the outbox off; %d pairs", perBooking,
                    pairs),
            ]
        } catch {
            await quiet.close()
            throw error
        }
    }

    /// `count` messages delivered by one pass of the job through `sendmail`, beside the same
    /// messages rendered and handed to `sendmail` without the database.
    func delivery(sendmail: String, count: Int = 300) async throws -> [String] {
        var settings = MailSettings()
        settings.sendmail = sendmail
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let job = try MailJob(
            store: NotificationStore(pool: pool), settings: settings, publicURL: "https://ap.example", status: MailJobStatus(),
            logger: logger)
        // Whatever else waits (the bookings' e-mail) is sent first, untimed.
        try await job.pass()
        try await pool.execute(
            """
            INSERT INTO notification (event, recipient_kind, recipient, details)
            SELECT 'booking_made', 'premises', 'bench' || (n % 10) || '@ap.example',
                   jsonb_build_object('personName', 'Person ' || n, 'crn', 'Q' || lpad(n::text, 6, '0'), 'premisesName', 'Bench House',
                                      'arrival', '2031-01-01', 'departure', '2031-03-01', 'link', '/')
            FROM generate_series(1, \(count)) n
            """)
        let clock = ContinuousClock()
        var handedOver = 0
        let ours = try await clock.measure { handedOver = try await job.pass() }
        guard handedOver == count else {
            throw CLIError("one pass handed over \(handedOver) of the \(count) messages: is the SMTP server behind \(sendmail) up?")
        }
        let sample = try await NotificationStore(pool: pool).list(
            state: .sent, page: try PageRequest(limit: 200), by: principal
        ).items
        let messages = (0..<count).map { sample[$0 % sample.count] }
        let baseline = try await clock.measure { try await job.handOverOnly(messages) }
        let (oursRate, baseRate) = (Double(count) / Self.seconds(ours), Double(count) / Self.seconds(baseline))
        return [
            "e-mail delivered, one pass of \(count)", String(format: "%.0f/s", oursRate), String(format: "%.0f/s", baseRate),
            String(format: "%.2f", baseRate / oursRate),
            "to the local SMTP server through msmtp, \(settings.parallel) at once; baseline: the same messages without the database",
        ]
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
