import ApprovedPremises
import Foundation
import Hummingbird

/// The apply journey, GOV.UK's task-list pattern: `POST /referrals/new` starts a draft;
/// `/referrals/drafts/{id}` lists its sections with their status; each section is a page of
/// its own (`/referrals/drafts/{id}/sections/{section}`), saved through the same store call
/// as `PUT /referral-drafts/{id}/sections/{section}` (its fields' intake rules, every mistake
/// named on the page it belongs to); `/referrals/drafts/{id}/check` shows every answer with a
/// Change link, the declaration and the button that submits it into the queue. The draft lives
/// in the database, so it is picked up on another day or another PC.
struct ApplyPages: Sendable {
    let view: WebView

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/referrals/new") { request, _ in
            let post = try await FormPost.read(request, browser: view.browser)
            return try await post.once(view.stores.idempotency, path: request.uri.path) {
                let draft = try await view.stores.referralDrafts.start(by: post.principal)
                return Self.base(draft.id)
            }
        }
        router.get("/referrals/drafts/:draft") { request, context in try await taskList(request, context) }
        router.get("/referrals/drafts/:draft/sections/:section") { request, context in
            let (draft, section) = try await load(context)
            let kept = try await view.draft(request)
            let choices = try await ApplySections.Choices.read(view)
            let model = form(draft, section, posted: kept.map { FormFields(values: $0.fields) }, choices: choices).refused(kept)
            return show(draft, model, notice: WebView.keptNotice(kept))
        }
        router.post("/referrals/drafts/:draft/sections/:section") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let (draft, section) = try await load(context)
            let choices = try await ApplySections.Choices.read(view)
            let model = form(draft, section, posted: post.fields, choices: choices)
            let names = Dictionary(model.fields.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            let (answers, reading) = ApplySections.answers(section, post.fields, names: names)
            do {
                try reading.check()
                return try await post.once(view.stores.idempotency, path: request.uri.path) {
                    _ = try await view.stores.referralDrafts.save(
                        draft.id, section: section, answers: answers, expectedVersion: nil, by: post.principal, today: Self.today)
                    return Self.base(draft.id) + "?saved=\(section.rawValue)"
                }
            } catch let error as DomainError where error.kind == .invalid {
                let problems = FormErrors(
                    error.problems.map { problem in
                        let field = model.fields.first { $0.id == problem.field }
                        return .init(
                            field: field?.id ?? model.fields[0].id,
                            message: reading.problems.contains(problem)
                                ? problem.message : ApplySections.message(problem, field: field, names: names),
                            anchor: (field ?? model.fields[0]).anchor(rule: problem.rule))
                    })
                return try await post.refused(problems, browser: view.browser, formPath: request.uri.path)
            }
        }
        router.get("/referrals/drafts/:draft/check") { request, context in try await check(request, context) }
        router.post("/referrals/drafts/:draft/check") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let draft = try await load(context).draft
            do {
                return try await post.once(view.stores.idempotency, path: request.uri.path) {
                    let referral = try await view.stores.referralDrafts.submit(
                        draft.id, declaration: post.fields["declaration"] == "yes",
                        practitioner: post.principal.role == .probationPractitioner ? nil : (post.fields["practitioner"] ?? ""),
                        by: post.principal, today: Self.today)
                    return "/referrals/\(referral.id.uuidString.lowercased())?done=submitted"
                }
            } catch let error as DomainError where error.kind == .invalid {
                let declaration = error.problems.compactMap { problem -> FormErrors.Item? in
                    switch problem.field {
                    case "declaration": .init(field: "declaration", message: "Confirm that the information is true", anchor: "declaration")
                    case "practitioner":
                        .init(
                            field: "practitioner", message: Wording.plain(problem.message.replacing("practitioner: ", with: "")),
                            anchor: "practitioner")
                    default: nil
                    }
                }
                // The other problems are shown by the check page itself, from the draft.
                return try await post.refused(
                    FormErrors(declaration), browser: view.browser, formPath: Self.base(draft.id) + "/check")
            }
        }
        router.get("/referrals/drafts/:draft/discard") { request, context in
            let draft = try await load(context).draft
            return show(draft, discardForm(draft), notice: nil)
        }
        router.post("/referrals/drafts/:draft/discard") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let draft = try await load(context).draft
            return try await post.once(view.stores.idempotency, path: request.uri.path) {
                try await view.stores.referralDrafts.discard(draft.id, by: post.principal)
                return "/referrals?done=discarded"
            }
        }
    }

    static var today: CalendarDate { CalendarDate.today(in: Premises.defaultTimeZone) }

    static func base(_ id: UUID) -> String { "/referrals/drafts/\(id.uuidString.lowercased())" }

    /// The caller's draft of the address, read by `read` (else the 404 page).
    private func draft<Context: RequestContext, Found>(
        _ context: Context, _ read: (UUID, Principal) async throws -> Found
    ) async throws -> Found {
        guard let text = context.parameters.get("draft"), let id = UUID(uuidString: text) else {
            throw PageError.notFound("There is no such draft.")
        }
        let principal = try WebScope.caller()
        guard ReferralDraftStore.writers.contains(principal.role) else { throw PageError.notFound("There is no such draft.") }
        do {
            return try await read(id, principal)
        } catch let error as DomainError where error.kind == .conflict {
            // Submitted: it is a referral now.
            throw PageError.notFound("This draft was submitted: find it under Your referrals.")
        }
    }

    /// The caller's draft of the address (else the 404 page), and the section it names.
    private func load<Context: RequestContext>(_ context: Context) async throws -> (draft: ReferralDraft, section: ReferralDraft.Section) {
        let draft = try await draft(context) { try await view.stores.referralDrafts.get($0, by: $1) }
        let section = context.parameters.get("section").flatMap(ReferralDraft.Section.init(rawValue:)) ?? .person
        if let asked = context.parameters.get("section"), ReferralDraft.Section(rawValue: asked) == nil {
            throw PageError.notFound("There is no such section.")
        }
        return (draft, section)
    }

    private func form(_ draft: ReferralDraft, _ section: ReferralDraft.Section, posted: FormFields?, choices: ApplySections.Choices)
        -> FormModel
    {
        var answers = draft.answers
        if let posted {
            // Shown again with what was sent, mistakes and all.
            let names = [String: String]()
            answers = (try? draft.answers.replacing(section, with: ApplySections.answers(section, posted, names: names).0)) ?? answers
        }
        let number = ReferralDraft.Section.allCases.firstIndex(of: section)! + 1
        var model = FormModel(
            heading: section.title, caption: "Apply for a place: section \(number) of \(ReferralDraft.Section.allCases.count)",
            action: Self.base(draft.id) + "/sections/\(section.rawValue)", formToken: FormPost.newToken(), submit: "Save and continue",
            cancel: Self.base(draft.id), fields: ApplySections.fields(section, answers, posted: posted, choices: choices))
        model.emptyIsAnAnswer = section.required.isEmpty
        return model
    }

    private func discardForm(_ draft: ReferralDraft) -> FormModel {
        var model = FormModel(
            heading: "Discard this draft", caption: Self.personName(draft), action: Self.base(draft.id) + "/discard",
            formToken: FormPost.newToken(), submit: "Discard the draft", cancel: Self.base(draft.id), fields: [])
        model.intro = ["Its answers are deleted. Nothing was sent to the referral unit."]
        model.warning = "This cannot be undone."
        model.isWarning = true
        return model
    }

    private func show(_ draft: ReferralDraft, _ model: FormModel, notice: String?) -> Response {
        var chrome = Chrome.signedIn(WebScope.principal!, csrf: WebScope.csrf, current: "referrals")
        chrome.notice = notice
        chrome.back = .init(href: Self.base(draft.id), text: "Back to the sections", current: false)
        return view.renderer.page(
            "form", title: (model.hasErrors ? "Error: " : "") + "\(model.heading), apply for a place", chrome: chrome, view: model,
            status: model.hasErrors ? .badRequest : .ok)
    }

    static func personName(_ draft: ReferralDraft) -> String {
        draft.answers.personName.flatMap { $0.isBlank ? nil : $0 } ?? "A new referral"
    }

    struct Task: Sendable {
        let title: String
        let href: String
        let id: String
        let status: String
        let done: Bool
    }
    struct Tasks: Sendable {
        let person: String
        let tasks: [Task]
        let completed: String
        let checkHref: String?
        let discardHref: String
    }

    private func taskList<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        let draft = try await load(context).draft
        let base = Self.base(draft.id)
        let tasks = ReferralDraft.Section.allCases.map { section in
            let done = draft.sectionsSaved.contains(section)
            return Task(
                title: section.title, href: base + "/sections/\(section.rawValue)", id: section.rawValue,
                status: done ? "Completed" : "Not yet started", done: done)
        }
        var chrome = Chrome.signedIn(WebScope.principal!, csrf: WebScope.csrf, current: "referrals")
        chrome.back = .init(href: "/referrals", text: "Back to your referrals", current: false)
        if let saved = request.query("saved").flatMap(ReferralDraft.Section.init(rawValue:)) {
            chrome.done = "\(saved.title): saved"
        }
        let model = Tasks(
            person: Self.personName(draft), tasks: tasks,
            completed: "You have completed \(draft.sectionsSaved.count) of \(tasks.count) sections.",
            checkHref: draft.isComplete ? base + "/check" : nil, discardHref: base + "/discard")
        return view.renderer.page("apply", title: "Apply for a place, \(model.person)", chrome: chrome, view: model)
    }

    struct Answer: Sendable {
        let key: String
        let value: String
        let href: String
    }
    struct Section: Sendable {
        let title: String
        let answers: [Answer]
    }
    struct Check: Sendable {
        let person: String
        let action: String
        let formToken: String
        let sections: [Section]
        let errors: [FormErrors.Item]
        let hasErrors: Bool
        let declarationError: String?
        /// The referral unit names the practitioner the referral is for.
        var onBehalf = false
        var practitioner = ""
        var practitionerError: String? = nil
    }

    private func check<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        let (draft, problems) = try await draft(context) { try await view.stores.referralDrafts.checked($0, by: $1, today: Self.today) }
        let principal = try WebScope.caller()
        let base = Self.base(draft.id)
        let choices = try await ApplySections.Choices.read(view)
        let questions = Dictionary(
            uniqueKeysWithValues: ReferralDraft.Section.allCases.map {
                ($0, ApplySections.fields($0, draft.answers, posted: nil, choices: choices))
            })
        var names = [String: String]()
        for field in questions.values.joined() { names[field.id] = field.name }
        let sections = ReferralDraft.Section.allCases.map { section -> Section in
            let fields = questions[section] ?? []
            return Section(
                title: section.title,
                answers: fields.map { field in
                    Answer(
                        key: field.label.replacing(/\ \(optional\)$/) { _ in "" }, value: Self.answer(field),
                        href: base + "/sections/\(section.rawValue)#\(field.isDate ? field.id + "-day" : field.id)")
                })
        }
        // What submitting it now would be refused for, each linking to its question.
        var errors = problems.map { problem -> FormErrors.Item in
            let section = ReferralDraft.Section.asking(problem.field) ?? .person
            let field = questions[section]?.first { $0.id == problem.field }
            return .init(
                field: problem.field, message: ApplySections.message(problem, field: field, names: names),
                anchor: base + "/sections/\(section.rawValue)#\(field?.anchor(rule: problem.rule) ?? problem.field)")
        }
        let kept = try await view.draft(request)
        let declarationError = kept?.problems.first { $0.field == "declaration" }?.message
        let practitionerError = kept?.problems.first { $0.field == "practitioner" }?.message
        if let practitionerError { errors.append(.init(field: "practitioner", message: practitionerError, anchor: "#practitioner")) }
        if let declarationError { errors.append(.init(field: "declaration", message: declarationError, anchor: "#declaration")) }
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "referrals")
        chrome.back = .init(href: base, text: "Back to the sections", current: false)
        var model = Check(
            person: Self.personName(draft), action: base + "/check", formToken: FormPost.newToken(), sections: sections,
            errors: errors, hasErrors: !errors.isEmpty, declarationError: declarationError)
        model.onBehalf = principal.role != .probationPractitioner
        model.practitioner = kept?.fields["practitioner"]?.first ?? ""
        model.practitionerError = practitionerError
        return view.renderer.page(
            "check-answers", title: (errors.isEmpty ? "" : "Error: ") + "Check your answers, \(model.person)", chrome: chrome,
            view: model, status: declarationError == nil && practitionerError == nil ? .ok : .badRequest)
    }

    /// A question's answer as the check page shows it.
    static func answer(_ field: FormModel.Field) -> String {
        if field.isDate {
            guard !field.year.isEmpty,
                let date = CalendarDate(year: Int(field.year) ?? 0, month: Int(field.month) ?? 0, day: Int(field.day) ?? 0)
            else { return "Not given" }
            return Wording(timeZone: Premises.defaultTimeZone).date(date)
        }
        if field.isRadios || field.isCheckboxes || field.isSelect {
            let chosen = field.options.filter { $0.checked && !$0.value.isEmpty }.map(\.text)
            return chosen.isEmpty ? (field.isCheckboxes ? "None" : "Not given") : chosen.joined(separator: ", ")
        }
        return field.value.isBlank ? "Not given" : field.value
    }
}
