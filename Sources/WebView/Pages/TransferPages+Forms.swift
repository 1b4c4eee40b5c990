import ApprovedPremises
import Foundation
import Hummingbird

/// The referral unit's forms: book a transfer (the matches as the choices), refuse it, decide an appeal.
extension TransferPages {
    /// Serves a form at `base/{id}/path`: shown, posted once, shown again with its mistakes.
    func serve<Subject: Sendable, C: RequestContext>(_ form: Form<Subject>, on router: Router<C>, base: String) {
        router.get("\(base)/:id/\(form.path)") { request, context in
            let principal = try WebScope.caller()
            try Self.require(form, principal)
            let subject = try await form.load(try Self.id(context), principal)
            let draft = try await view.draft(request)
            let model = try await form.fields(subject, draft.map { FormFields(values: $0.fields) }).refused(draft)
            return show(form, subject, model, principal, notice: WebView.keptNotice(draft))
        }
        router.post("\(base)/:id/\(form.path)") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            try Self.require(form, post.principal)
            let subject = try await form.load(try Self.id(context), post.principal)
            do {
                return try await post.once(view.stores.idempotency, path: request.uri.path) {
                    try await form.change(subject, post.fields, post.principal)
                }
            } catch let error as DomainError where [.invalid, .conflict, .unprocessable, .preconditionFailed].contains(error.kind) {
                let model = try await form.fields(subject, post.fields)
                return try await post.refused(model.problems(error), browser: view.browser, formPath: request.uri.path)
            }
        }
    }

    private func show<Subject>(_ form: Form<Subject>, _ subject: Subject, _ model: FormModel, _ principal: Principal, notice: String?)
        -> Response
    {
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "transfers")
        chrome.back = form.back(subject)
        chrome.notice = notice
        return view.renderer.page(
            "form", title: (model.hasErrors ? "Error: " : "") + "\(form.heading), \(model.caption)", chrome: chrome, view: model,
            status: model.hasErrors ? .badRequest : .ok)
    }

    static func require<Subject>(_ form: Form<Subject>, _ principal: Principal) throws {
        guard form.roles.contains(principal.role) else {
            throw PageError.forbidden(
                "A \(principal.role.title) may not \(form.heading.lowercased()). "
                    + "It needs one of: \(Role.allCases.filter(form.roles.contains).map(\.title).joined(separator: ", ")).")
        }
    }

    static func back(_ transfer: Transfer) -> Chrome.Link {
        Chrome.Link(href: "/transfers/\(transfer.id.uuidString.lowercased())", text: "Back to the transfer", current: false)
    }

    var booking: Form<Transfer> {
        Form(
            path: "book", heading: "Book a receiving AP", roles: TransferStore.deciders,
            load: { id, principal in try await view.stores.transfers.get(id, by: principal) }, back: Self.back,
            fields: { transfer, posted in
                let principal = try WebScope.caller()
                let words = Wording(timeZone: Premises.defaultTimeZone)
                let match = try await view.stores.transfers.match(transfer.id, by: principal)
                let regions = try await view.names.names("regions")
                let names = try await view.names.characteristics()
                let options = match.candidates.map { c in
                    FormModel.Option(
                        value: c.premisesID.uuidString.lowercased(),
                        text: "\(c.name) (\(c.code)), \(regions[c.regionCode] ?? c.regionCode)",
                        hint: (c.distanceMiles.map { String(format: "%.1f miles from home; ", $0) } ?? "") + "bed \(c.bedLabel)",
                        checked: posted?["premisesId"] == c.premisesID.uuidString.lowercased())
                }
                let left = match.excluded.prefix(20).map {
                    FormModel.Aside.Row(cells: [
                        $0.name,
                        Wording.datesInWords($0.reasons.map { ReferralSummaries.reason($0, names: names) }.joined(separator: "; ")),
                    ])
                }
                return FormModel(
                    heading: "Book a receiving AP", caption: "\(transfer.personName) (\(transfer.crn))",
                    action: "/transfers/\(transfer.id.uuidString.lowercased())/book", formToken: FormPost.newToken(),
                    submit: "Book the transfer",
                    cancel: "/transfers/\(transfer.id.uuidString.lowercased())",
                    intro: [
                        "From \(transfer.fromPremisesName), for the rest of the stay: \(words.date(match.stay.first)) to \(words.date(match.stay.end)) (\(match.stay.count) nights).",
                        "Booked, the stay at \(transfer.fromPremisesName) ends on \(words.date(match.stay.first)) and the stay at the AP you choose begins that day.",
                    ] + (options.isEmpty ? ["No AP that suits them has a bed free for every night of the rest of the stay."] : []),
                    fields: [
                        .radios(
                            "premisesId", "Which AP?", name: "the receiving AP",
                            hint:
                                "APs that suit them (AP type, offences, needs, exclusion zones) with one bed free every night, nearest their home first.",
                            options: options)
                    ],
                    aside: left.isEmpty
                        ? nil : .init(caption: "Nearest APs not offered, and why", headers: ["AP", "Why not"], rows: Array(left)))
            },
            change: { transfer, fields, principal in
                guard let premises = fields["premisesId"].flatMap(UUID.init(uuidString:)) else {
                    throw DomainError.invalid(field: "premisesId", rule: "required", "Choose the receiving AP")
                }
                _ = try await view.stores.transfers.book(transfer.id, premisesID: premises, bedID: nil, expectedVersion: nil, by: principal)
                return "/transfers/\(transfer.id.uuidString.lowercased())"
            })
    }

    var refusal: Form<Transfer> {
        Form(
            path: "refuse", heading: "Refuse the transfer", roles: TransferStore.deciders,
            load: { id, principal in try await view.stores.transfers.get(id, by: principal) }, back: Self.back,
            fields: { transfer, posted in
                FormModel(
                    heading: "Refuse the transfer", caption: "\(transfer.personName) (\(transfer.crn))",
                    action: "/transfers/\(transfer.id.uuidString.lowercased())/refuse", formToken: FormPost.newToken(),
                    submit: "Refuse the transfer", cancel: "/transfers/\(transfer.id.uuidString.lowercased())",
                    intro: ["\(transfer.fromPremisesName) is told, with your reason. \(transfer.personName) stays where they are."],
                    fields: [.textarea("reason", "Why not?", name: "why not", value: posted?["reason"])])
            },
            change: { transfer, fields, principal in
                _ = try await view.stores.transfers.refuse(transfer.id, reason: fields["reason"] ?? "", expectedVersion: nil, by: principal)
                return "/transfers/\(transfer.id.uuidString.lowercased())"
            })
    }

    var decision: Form<PlacementAppeal> {
        Form(
            path: "decide", heading: "Decide the appeal", roles: TransferStore.deciders,
            load: { id, principal in try await view.stores.appeals.get(id, by: principal) },
            back: { Chrome.Link(href: "/appeals/\($0.id.uuidString.lowercased())", text: "Back to the appeal", current: false) },
            fields: { appeal, posted in
                FormModel(
                    heading: "Decide the appeal", caption: "\(appeal.personName) (\(appeal.crn))",
                    action: "/appeals/\(appeal.id.uuidString.lowercased())/decide", formToken: FormPost.newToken(),
                    submit: "Record the decision",
                    cancel: "/appeals/\(appeal.id.uuidString.lowercased())",
                    intro: ["\(appeal.premisesName) appeals the booking: \(appeal.reasonName)." + (appeal.notes.map { " \($0)" } ?? "")],
                    fields: [
                        .radios(
                            "decision", "Your decision", name: "your decision",
                            options: [
                                .init(
                                    value: "accept", text: "Accept the appeal",
                                    hint: "The booking is cancelled and the referral goes back to the queue, ready to match.",
                                    checked: posted?["decision"] == "accept"),
                                .init(
                                    value: "reject", text: "Reject the appeal", hint: "The booking stands.",
                                    checked: posted?["decision"] == "reject"),
                            ]),
                        .textarea("notes", "Notes (optional)", value: posted?["notes"]),
                    ])
            },
            change: { appeal, fields, principal in
                guard let decision = fields["decision"], ["accept", "reject"].contains(decision) else {
                    throw DomainError.invalid(field: "decision", rule: "required", "Choose accept or reject")
                }
                _ = try await view.stores.appeals.decide(
                    appeal.id, accept: decision == "accept", notes: fields["notes"], expectedVersion: nil, by: principal)
                return "/appeals/\(appeal.id.uuidString.lowercased())"
            })
    }
}
