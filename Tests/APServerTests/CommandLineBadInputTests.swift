import ApprovedPremises
import Foundation
import TestSupport
import Testing

/// Every `ap` command that records something, given bad input in each of its slots in turn
/// (empty, huge, other scripts and digits, impossible dates, years 0001 and 9999, huge and
/// non-finite numbers, ambiguous and unknown people), the other slots left valid: each is refused
/// with a sentence, never a crash, never a 5xx, and nothing is written (the audit log, which
/// every change writes to, does not grow). A message never repeats a huge input back whole.
@Suite("Bad input to every ap recording command", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct CommandLineBadInputTests {
    /// What a slot holds, and the bad values tried in it.
    enum Slot {
        case who, time, date, number, text, hours

        var bad: [String] {
            let huge = String(repeating: "9", count: 5000)
            switch self {
            case .who: return ["", "s", "zz-nobody", "Zoë 🙂", "٣", String(repeating: "x", count: 20_000)]
            case .time:
                return ["", "25:00", "２０:００", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-02-30T10:00:00Z", "tomorrow", huge]
            case .date: return ["", "2026-02-30", "0001-01-01", "9999-12-31", "２０２６-１２-０１", "+99999999999999999999", "+999999999999", huge]
            case .number: return ["", "1e308", "nan", "inf", "-1", "99999999999999999999", "abc", "٣"]
            case .text: return ["", "   "]
            case .hours: return ["07:00-07:00", "25:00-26:00", "7-8", "", "２０:００-０７:００"]
            }
        }
    }

    /// A recording command: its slots with valid values, and its arguments from them.
    struct Command {
        var name: String
        var slots: [(Slot, String)]
        var arguments: ([String]) -> [String]
        var stdin = ""
    }

    static func commands(bed: String, placement: String, referral: String) -> [Command] {
        [
            Command(name: "out", slots: [(.who, "sj"), (.time, "09:00")]) { ["out", $0[0], "--at", $0[1], "-y"] },
            Command(name: "in", slots: [(.who, "sj"), (.time, "09:30")]) { ["in", $0[0], "--at", $0[1], "-y"] },
            Command(name: "placements arrive", slots: [(.who, "ann"), (.time, "\(testDay(0))T10:00:00Z")]) {
                ["placements", "arrive", $0[0], "--at", $0[1]]
            },
            Command(name: "placements depart", slots: [(.who, "sj"), (.time, "\(testDay(0))T12:00:00Z")]) {
                ["placements", "depart", $0[0], "--reason", "O", "--move-on", "MC04", "--at", $0[1]]
            },
            Command(name: "placements non-arrival", slots: [(.who, "ann"), (.text, "X")]) {
                ["placements", "non-arrival", $0[0], "--reason", $0[1]]
            },
            Command(name: "placements cancel", slots: [(.who, "ann"), (.text, "X")]) {
                ["placements", "cancel", $0[0], "--reason", $0[1]]
            },
            Command(name: "placements book", slots: [(.text, "New Person"), (.date, "\(testDay(34))"), (.date, "\(testDay(40))")]) {
                ["placements", "book", "--crn", "X123457", "--name", $0[0], "--arrival", $0[1], "--departure", $0[2]]
            },
            Command(name: "placements allocate", slots: [(.date, "\(testDay(2))")]) {
                ["placements", "allocate", placement, "--bed", bed, "--from", $0[0]]
            },
            Command(name: "beds out-of-service", slots: [(.date, "\(testDay(90))"), (.date, "\(testDay(94))"), (.text, "DAMAGE")]) {
                ["beds", "out-of-service", bed, "--start", $0[0], "--end", $0[1], "--reason", $0[2]]
            },
            Command(name: "incident record", slots: [(.text, "hall"), (.text, "a door broken"), (.time, "08:00"), (.who, "sj")]) {
                [
                    "incident", "record", "--kind", "damage", "--severity", "low", "--where", $0[0], "--what", $0[1], "--done", "fixed",
                    "--at", $0[2], "--resident", $0[3], "-y",
                ]
            },
            Command(name: "incident amend", slots: [(.number, "1"), (.text, "typo"), (.time, "08:05")]) {
                ["incident", "amend", $0[0], "--reason", $0[1], "--at", $0[2], "-y"]
            },
            Command(
                name: "curfew vary",
                slots: [(.who, "sj"), (.date, "\(testDay(3))"), (.date, "\(testDay(5))"), (.hours, "07:30-15:00"), (.text, "night work")]
            ) {
                [
                    "curfew", "vary", $0[0], "--from", $0[1], "--to", $0[2], "--hours", $0[3], "--reason", $0[4], "--approved-by",
                    "Morgan, payslips",
                ]
            },
            Command(
                name: "handover write", slots: [(.who, "sj")],
                arguments: {
                    ["handover", "write", "--shift", "night", "--watch", "\($0[0]): unsettled"]
                }, stdin: "quiet night\n"),
            Command(
                name: "keywork record", slots: [(.who, "sj"), (.number, "30"), (.text, "settling in"), (.date, "+7"), (.time, "11:00")]
            ) {
                ["keywork", "record", $0[0], "--kind", "induction", "--minutes", $0[1], "--notes", $0[2], "--next", $0[3], "--at", $0[4]]
            },
            Command(name: "keywork done", slots: [(.who, "sj"), (.number, "1")]) { ["keywork", "done", $0[0], $0[1]] },
            Command(name: "keywork assign", slots: [(.who, "sj")]) { ["keywork", "assign", $0[0], "keyworker"] },
            Command(name: "tests record", slots: [(.who, "sj"), (.text, "S2"), (.time, "10:00")]) {
                [
                    "tests", "record", $0[0], "--reason", "random", "--sample", "urine_lab", "--taken", "--sample-number", $0[1], "--at",
                    $0[2],
                ]
            },
            Command(name: "tests custody", slots: [(.who, "sj"), (.text, "Kit Keyworker"), (.time, "10:05")]) {
                ["tests", "custody", $0[0], "sealed", "--person", $0[1], "--at", $0[2]]
            },
            Command(name: "tests results", slots: [(.who, "sj"), (.number, "12"), (.time, "10:10")]) {
                ["tests", "results", $0[0], "alcohol=positive:\($0[1])", "--received", $0[2]]
            },
            Command(name: "tests follow-up", slots: [(.who, "sj"), (.text, "talked it through")]) {
                ["tests", "follow-up", $0[0], "warning", "--note", $0[1]]
            },
            Command(name: "tests authorise", slots: [(.date, "\(testDay(-30))"), (.date, "2027-11-01"), (.text, "policy")]) {
                ["tests", "authorise", "--reason", "routine", "--from", $0[0], "--until", $0[1], "--note", $0[2]]
            },
            Command(name: "moveon pathway", slots: [(.who, "sj"), (.text, "family")]) { ["moveon", "pathway", $0[0], $0[1]] },
            Command(name: "moveon update", slots: [(.who, "sj"), (.text, "applied"), (.date, "\(testDay(0))")]) {
                ["moveon", "update", $0[0], "family", $0[1], "--on", $0[2]]
            },
            Command(name: "moveon address", slots: [(.who, "sj"), (.text, "1 High St"), (.date, "\(testDay(0))")]) {
                ["moveon", "address", $0[0], $0[1], "--on", $0[2]]
            },
            Command(name: "breaches escalate", slots: [(.who, "sj")]) { ["breaches", "escalate", $0[0], "--pp"] },
            Command(name: "breaches outcome", slots: [(.who, "sj")]) { ["breaches", "outcome", $0[0], "warning"] },
            Command(name: "referrals decide", slots: [(.text, "not suitable")]) {
                ["referrals", "decide", referral, "reject", "--note", $0[0]]
            },
            Command(name: "referrals offer", slots: [(.text, "OAK")]) { ["referrals", "offer", referral, "--premises", $0[0]] },
            Command(name: "premises update", slots: [(.hours, "23:00-07:00"), (.number, "60")]) {
                ["premises", "update", "--curfew", $0[0], "--check-every", $0[1]]
            },
        ]
    }

    @Test("each slot of each recording command, given bad input: a sentence, no crash, no 5xx, nothing written")
    func everyCommand() async throws {
        try await withApp(.live) { client, world in
            let folder = try CommandLineTests.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let manager = try await world.fixtures.signIn("manager").principal
            let referrals = try await world.fixtures.signIn("referrals").principal
            let placements = PlacementStore(pool: world.pool)
            // Sam Jones (sj) and Sid Sands are resident (so "s" is ambiguous); Ann Upcoming is expected today.
            _ = try await placements.arrive(
                world.placement, at: try Date("\(testDay(0))T10:00:00Z", strategy: .iso8601), keyWorkerID: nil,
                expectedVersion: nil, by: manager)
            let today = CalendarDate.today(in: Premises.defaultTimeZone)
            let sid = try await placements.book(
                NewPlacement(
                    premisesID: world.elm, crn: "X000004", personName: "Sid Sands", expectedArrival: today,
                    expectedDeparture: today.adding(days: 5), overbookingReason: "test: a second resident"),
                by: referrals)
            _ = try await placements.arrive(
                sid.id, at: Date().addingTimeInterval(-600), keyWorkerID: nil, expectedVersion: nil, by: manager)
            _ = try await placements.book(
                NewPlacement(
                    premisesID: world.elm, crn: "X000005", personName: "Ann Upcoming", expectedArrival: today,
                    expectedDeparture: today.adding(days: 5), overbookingReason: "test: expected today"),
                by: referrals)
            let config = try await CommandLineTests.signedIn("manager", to: client, in: folder, world.fixtures)
            // What the commands act on: a test awaiting custody and results, a pathway, an incident.
            for setup in [
                ["tests", "authorise", "--reason", "random", "--from", "\(testDay(-30))", "--note", "house policy"],
                ["tests", "record", "sj", "--reason", "random", "--sample", "urine_lab", "--taken", "--sample-number", "S1"],
                ["moveon", "pathway", "sj", "family"],
                [
                    "incident", "record", "--kind", "damage", "--severity", "low", "--where", "hall", "--what", "door", "--done", "fixed",
                    "-y",
                ],
            ] {
                let run = try await CommandLineTests.ap(setup, config: config, stdin: "")
                try #require(run.status == 0, "ap \(setup): \(run.output)")
            }

            func written() async throws -> Int {
                try await world.pool.query("SELECT count(*)::integer AS n FROM audit_event").first!.decode("n")
            }
            var cases = 0
            var refusedBefore = try await written()
            for command in Self.commands(
                bed: world.bed.uuidString, placement: world.placement.uuidString, referral: world.referral.uuidString)
            {
                for (index, (slot, _)) in command.slots.enumerated() {
                    for value in slot.bad {
                        var values = command.slots.map(\.1)
                        values[index] = value
                        let arguments = command.arguments(values)
                        let run = try await CommandLineTests.ap(arguments, config: config, stdin: command.stdin)
                        let shown = "ap \(command.name) with \(slot) '\(value.prefix(20))'"
                        cases += 1
                        #expect(run.status > 0 && run.status < 128, "\(shown) exited \(run.status): \(run.output.prefix(400))")
                        #expect(
                            !run.output.contains("Fatal error") && !run.output.contains("Program crashed"),
                            "\(shown) crashed: \(run.output.prefix(400))")
                        #expect(
                            !run.output.contains("something went wrong on our side") && !run.output.contains("Internal Server Error"),
                            "\(shown) met a server error: \(run.output.prefix(400))")
                        #expect(!run.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(shown) said nothing")
                        #expect(
                            value.count < 1000 || !run.output.contains(value.prefix(100)),
                            "\(shown) repeated the whole of it back: \(run.output.count) characters")
                        let after = try await written()
                        #expect(
                            after == refusedBefore, "\(shown) wrote \(after - refusedBefore) audited change(s): \(run.output.prefix(400))")
                        refusedBefore = after
                    }
                }
            }
            #expect(cases > 300)
        }
    }
}
