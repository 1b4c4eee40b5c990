import ApprovedPremises
import Foundation
import Testing

@testable import WebView

/// Dates and times as GOV.UK asks for them, and messages in the person's words: no field of a
/// form is ever filled in for the person, and every mistake names the field by its label.
@Suite("Web forms: dates, times and messages")
struct WebFormTests {
    func fields(_ values: [String: String]) -> FormFields { FormFields(values: values.mapValues { [$0] }) }

    func problems(_ values: [String: String], required: Bool = true) -> [FieldProblem] {
        var validation = Validation()
        _ = DateInput.date(fields(values), "arrivedAt", name: "the date of arrival", required: required, into: &validation)
        do {
            try validation.check()
            return []
        } catch let error as DomainError { return error.problems } catch { return [] }
    }

    @Test("a blank date is a mistake naming it, unless it is optional; never today by default")
    func blank() {
        #expect(problems([:]).map(\.message) == ["Enter the date of arrival"])
        #expect(
            problems(["arrivedAt-day": " ", "arrivedAt-month": "", "arrivedAt-year": ""]).map(\.message) == ["Enter the date of arrival"])
        #expect(problems([:], required: false).isEmpty)
    }

    @Test("a part missing is named, a date that cannot be is not a real date, and a year has four numbers")
    func parts() {
        #expect(problems(["arrivedAt-day": "6", "arrivedAt-year": "2026"]).map(\.message) == ["The date of arrival must include a month"])
        #expect(problems(["arrivedAt-day": "6", "arrivedAt-year": "2026"]).map(\.rule) == ["month"])
        #expect(problems(["arrivedAt-month": "12"]).map(\.message) == ["The date of arrival must include a day and a year"])
        #expect(
            problems(["arrivedAt-day": "30", "arrivedAt-month": "2", "arrivedAt-year": "2026"]).map(\.message) == [
                "The date of arrival must be a real date"
            ])
        #expect(problems(["arrivedAt-day": "x", "arrivedAt-month": "2", "arrivedAt-year": "2026"]).map(\.rule) == ["day"])
        #expect(problems(["arrivedAt-day": "1", "arrivedAt-month": "13", "arrivedAt-year": "2026"]).map(\.rule) == ["month"])
        #expect(
            problems(["arrivedAt-day": "1", "arrivedAt-month": "2", "arrivedAt-year": "26"]).first?.message.hasPrefix(
                "The date of arrival must have a year of 4 numbers") == true)
        #expect(
            problems(["arrivedAt-day": "1", "arrivedAt-month": "2", "arrivedAt-year": "0001"]).map(\.message) == [
                "The date of arrival must be between 1900 and 2100"
            ])
        #expect(problems(["arrivedAt-day": "1", "arrivedAt-month": "2", "arrivedAt-year": "3026"]).map(\.rule) == ["year"])
        var validation = Validation()
        let date = DateInput.date(
            fields(["arrivedAt-day": "29", "arrivedAt-month": "02", "arrivedAt-year": "2028"]), "arrivedAt", name: "the date of arrival",
            into: &validation)
        #expect(date == CalendarDate("2028-02-29"))
    }

    @Test("a time is 24-hour text; blank or impossible, a mistake naming it")
    func times() throws {
        var validation = Validation()
        #expect(DateInput.time(fields(["t": "21:40"]), "t", name: "the time of arrival", into: &validation)! == (21, 40))
        #expect(DateInput.time(fields(["t": "9:05"]), "t", name: "the time of arrival", into: &validation)! == (9, 5))
        #expect(DateInput.time(fields(["t": "2140"]), "t", name: "the time of arrival", into: &validation)! == (21, 40))
        #expect(DateInput.time(fields(["t": "25:00"]), "t", name: "the time of arrival", into: &validation) == nil)
        #expect(DateInput.time(fields([:]), "t", name: "the time of arrival", into: &validation) == nil)
        #expect(throws: DomainError.self) { try validation.check() }
        do {
            _ = try DateInput.instant(
                fields([:]), "arrivedAt", name: ("the date of arrival", "the time of arrival"), in: Premises.defaultTimeZone)
            Issue.record("a blank date and time were given a value")
        } catch let error as DomainError {
            #expect(error.problems.map(\.message) == ["Enter the date of arrival", "Enter the time of arrival"], "both named at once")
        }
        let instant = try DateInput.instant(
            fields(["arrivedAt-day": "1", "arrivedAt-month": "7", "arrivedAt-year": "2026", "arrivedAt-time": "21:40"]),
            "arrivedAt", name: ("the date of arrival", "the time of arrival"), in: Premises.defaultTimeZone)
        #expect(instant.formatted(.iso8601) == "2026-07-01T20:40:00Z", "21:40 in London in summer")
    }

    @Test("a domain message names fields by their labels, dates in words, and no identifier")
    func plainMessages() {
        #expect(
            Wording.plain("arrivedAt must not be in the future", names: ["arrivedAt": "the date of arrival"])
                == "The date of arrival must not be in the future")
        #expect(
            Wording.plain("expectedDeparture must be after 2026-12-26") == "The expected departure must be after Saturday 26 December 2026")
        #expect(Wording.plain("there is no placement 0b0e9b4e-8d6f-4c1b-9a43-5c1f0b2a9e77") == "There is no placement")
        #expect(Wording.plain("a missed test needs a reason such as not_available") == "A missed test needs a reason such as not available")
        #expect(Wording.datesInWords("from 2026-12-26 to 2027-01-01.") == "from Saturday 26 December 2026 to Friday 1 January 2027.")
        #expect(
            Wording.datesInWords("order 12026-12-260, 2026-02-30 and WO-2026-12") == "order 12026-12-260, 2026-02-30 and WO-2026-12",
            "only real dates standing alone")
    }

    @Test("a refused date's mistake links to the part that is wrong, and the field shows which")
    func anchors() throws {
        let model = FormModel(
            heading: "Record the arrival", caption: "", action: "/", formToken: "t", submit: "Record", cancel: "/",
            fields: [
                .date("arrivedAt", "Date of arrival", value: nil, posted: nil), .time("arrivedAt-time", "Time of arrival", value: nil),
            ])
        let error = DomainError.invalid([
            FieldProblem(field: "arrivedAt", rule: "month", message: "The date of arrival must include a month"),
            FieldProblem(field: "arrivedAt-time", rule: "required", message: "Enter the time of arrival"),
        ])
        let problems = model.problems(error)
        #expect(problems.items.map(\.anchor) == ["arrivedAt-month", "arrivedAt-time"])
        let refused = model.refused(problems)
        #expect(refused.fields[0].monthError && !refused.fields[0].dayError && !refused.fields[0].yearError)
        #expect(refused.fields[1].error == "Enter the time of arrival")
    }
}
