import ApprovedPremises
import Foundation
import Hummingbird

/// Dates and times as GOV.UK asks a person for them: a date as three text fields (day, month,
/// year), a time as 24-hour text, never the browser's own pickers (whose order follows the
/// browser's locale). A blank field is never filled in for the person: it is a mistake naming
/// the field ("Enter the date of arrival"), and a part missing or impossible is named too
/// ("The date of arrival must include a month", "… must be a real date").
enum DateInput {
    /// The date of the date field `id` (`{id}-day`, `{id}-month`, `{id}-year`); nil when all
    /// three are blank and the date is optional. `name` is how messages name it ("the date of arrival").
    static func date(_ fields: FormFields, _ id: String, name: String, required: Bool = true, into validation: inout Validation)
        -> CalendarDate?
    {
        let day = fields["\(id)-day"]
        let month = fields["\(id)-month"]
        let year = fields["\(id)-year"]
        let the = Self.sentence(name)
        if day == nil && month == nil && year == nil {
            if required { validation.add(field: id, rule: "required", "Enter \(name)") }
            return nil
        }
        let missing = [("day", day), ("month", month), ("year", year)].filter { $0.1 == nil }.map(\.0)
        if !missing.isEmpty {
            let parts = missing.count == 1 ? missing[0] : missing.dropLast().joined(separator: ", ") + " and a " + missing.last!
            validation.add(field: id, rule: missing[0], "\(the) must include a \(parts)")
            return nil
        }
        let numbers = [day!, month!, year!].map { text in text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber) ? Int(text) : nil }
        guard let d = numbers[0], let m = numbers[1], let y = numbers[2] else {
            let wrong = zip(["day", "month", "year"], numbers).first { $0.1 == nil }?.0 ?? "day"
            validation.add(field: id, rule: wrong, "\(the) must be a real date")
            return nil
        }
        guard year!.count == 4 else {
            validation.add(
                field: id, rule: "year",
                "\(the) must have a year of 4 numbers, such as \(CalendarDate.today(in: Premises.defaultTimeZone).parts.year)")
            return nil
        }
        guard let date = CalendarDate(year: y, month: m, day: d) else {
            validation.add(field: id, rule: (1...12).contains(m) ? "day" : "month", "\(the) must be a real date")
            return nil
        }
        guard CalendarDate.years.contains(y) else {
            // Year 1 or 3026 is a slip of the keyboard, never a night at an AP (the API's own rule).
            validation.add(
                field: id, rule: "year", "\(the) must be between \(CalendarDate.years.lowerBound) and \(CalendarDate.years.upperBound)")
            return nil
        }
        return date
    }

    /// A time of day, `hh:mm` on the 24-hour clock (`21:40`, also `2140`, `9:05`, `21.40`), of the field `id`.
    static func time(_ fields: FormFields, _ id: String, name: String, into validation: inout Validation) -> (hour: Int, minute: Int)? {
        guard let text = fields[id] else {
            validation.add(field: id, rule: "required", "Enter \(name)")
            return nil
        }
        if let match = text.wholeMatch(of: /([01]?[0-9]|2[0-3])[:.]?([0-5][0-9])/), let hour = Int(match.1), let minute = Int(match.2) {
            return (hour, minute)
        }
        validation.add(field: id, rule: "format", "Enter \(name) as hours and minutes on the 24-hour clock, such as 21:40")
        return nil
    }

    /// The instant of a date field `id` and a time field `{id}-time`, at the premises; both must be given.
    static func instant(_ fields: FormFields, _ id: String, name: (date: String, time: String), in zone: TimeZone) throws -> Date {
        var validation = Validation()
        let date = Self.date(fields, id, name: name.date, into: &validation)
        let time = Self.time(fields, "\(id)-time", name: name.time, into: &validation)
        try validation.check()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let (year, month, day) = date!.parts
        guard let instant = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: time!.hour, minute: time!.minute))
        else {
            throw DomainError.invalid(field: id, rule: "day", "\(Self.sentence(name.date)) must be a real date")
        }
        return instant
    }

    /// One date field on its own (a form of one or two dates).
    static func date(_ fields: FormFields, _ id: String, name: String, required: Bool = true) throws -> CalendarDate? {
        var validation = Validation()
        let date = Self.date(fields, id, name: name, required: required, into: &validation)
        try validation.check()
        return date
    }

    /// A date asked for in a page's address (a filter), as `{id}=YYYY-MM-DD` (a link) or the
    /// three fields of the date input; a mistake is the 400 page naming it.
    static func query(_ request: Request, _ id: String, name: String) throws -> CalendarDate? {
        if let text = request.query(id) {
            guard let date = CalendarDate(text) else { throw PageError.badRequest("\(sentence(name)) must be a real date") }
            return date
        }
        var fields = FormFields(encoded: "")
        for part in ["day", "month", "year"] { fields.set("\(id)-\(part)", request.query("\(id)-\(part)")) }
        do {
            return try date(fields, id, name: name, required: false)
        } catch let error as DomainError {
            throw PageError.badRequest(error.problems.first?.message ?? error.message)
        }
    }

    /// "the date of arrival" as the start of a sentence.
    static func sentence(_ name: String) -> String { name.prefix(1).uppercased() + name.dropFirst() }

    /// The three parts of a date, for a date field's value.
    static func parts(_ date: CalendarDate?) -> (day: String, month: String, year: String) {
        guard let (year, month, day) = date?.parts else { return ("", "", "") }
        return ("\(day)", "\(month)", "\(year)")
    }

    /// The hint under a date field: the date input's example, today's date.
    static func hint(_ today: CalendarDate, _ lead: String? = nil) -> String {
        let (year, month, day) = today.parts
        return (lead.map { $0 + " " } ?? "") + "For example, \(day) \(month) \(year)"
    }
}

/// A date in a filter form (a GET form): the date input's three fields, filled in.
struct DateFilter: Sendable {
    let id: String
    let legend: String
    let day: String
    let month: String
    let year: String

    init(_ id: String, _ legend: String, _ date: CalendarDate) {
        self.id = id
        self.legend = legend
        (day, month, year) = DateInput.parts(date)
    }
}
