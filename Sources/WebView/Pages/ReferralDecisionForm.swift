import ApprovedPremises
import Foundation
import Hummingbird

/// `/referrals/{id}/decide?decision=`: one assessment decision (accept, reject, ask for or
/// give information, unable to match, withdraw) with its reason, through the same store call,
/// rules and audit row as `POST /referrals/{id}/decisions`. Only the decisions the caller's
/// role may take on the referral as it stands are offered.
struct ReferralDecisionForm: Sendable {
    let view: WebView

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/referrals/:id/decide") { request, context in
            let draft = try await view.draft(request)
            let (referral, kind) = try await decision(request.query("decision") ?? draft?.fields["decision"]?.first, context)
            let form = try await model(
                referral, kind, note: draft?.fields["note"]?.first, reason: draft?.fields["withdrawalReason"]?.first)
            return show(referral, form.refused(draft), notice: WebView.keptNotice(draft))
        }
        router.post("/referrals/:id/decide") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let (referral, kind) = try await decision(post.fields["decision"], context)
            do {
                return try await post.once(view.stores.idempotency, path: request.uri.path) {
                    _ = try await view.stores.referrals.decide(
                        referral.id, .init(kind, note: post.fields["note"], withdrawalReason: post.fields["withdrawalReason"]),
                        expectedVersion: nil, by: post.principal)
                    return "/referrals/\(referral.id.uuidString.lowercased())?done=\(kind.rawValue)"
                }
            } catch let error as DomainError where [.invalid, .conflict, .preconditionFailed].contains(error.kind) {
                let form = try await model(referral, kind, note: post.fields["note"], reason: post.fields["withdrawalReason"])
                let problems =
                    error.problems.contains { $0.field == "note" && $0.rule == "needed" }
                    ? FormErrors([.init(field: "note", message: "Enter \(Self.noteName(kind))")])
                    : error.problems.contains { $0.field == "withdrawalReason" && $0.rule == "needed" }
                        ? FormErrors([.init(field: "withdrawalReason", message: "Choose why the referral is withdrawn")])
                        : form.problems(error)
                return try await post.refused(
                    problems, browser: view.browser,
                    formPath: "/referrals/\(referral.id.uuidString.lowercased())/decide?decision=\(kind.rawValue)")
            }
        }
    }

    /// The referral and the decision asked for, if the caller may take it now (else the 403 or 400 page).
    private func decision<Context: RequestContext>(_ text: String?, _ context: Context) async throws -> (
        Referral, ReferralStore.DecisionKind
    ) {
        let (referral, _) = try await ReferralPages.load(view, context)
        guard let text, let kind = ReferralStore.DecisionKind(rawValue: text) else {
            throw PageError.badRequest("Choose a decision from the referral's page.")
        }
        let principal = try WebScope.caller()
        guard kind.roles.contains(principal.role) else {
            throw PageError.forbidden("A \(principal.role.title) may not \(Self.title(kind).lowercased()) a referral.")
        }
        guard kind.from.contains(referral.status) else {
            throw PageError.badRequest(
                "A referral that is \(ReferralPages.words(referral.status).lowercased()) cannot be given that decision.")
        }
        return (referral, kind)
    }

    private func model(_ referral: Referral, _ kind: ReferralStore.DecisionKind, note: String?, reason: String?) async throws
        -> FormModel
    {
        let base = "/referrals/\(referral.id.uuidString.lowercased())"
        var fields: [FormModel.Field] = [
            .textarea("note", Self.noteLabel(kind), name: Self.noteName(kind), hint: Self.noteHint(kind), value: note)
        ]
        if kind == .withdraw {
            let reasons = try await view.stores.reference.entries(of: "withdrawal-reasons").filter { $0.active != false }
            fields.insert(
                .radios(
                    "withdrawalReason", "Why it is withdrawn",
                    options: reasons.map { .init(value: $0.code, text: $0.name, hint: nil, checked: $0.code == reason) }), at: 0)
        }
        var model = FormModel(
            heading: Self.title(kind), caption: "\(referral.details.personName) (\(referral.details.crn))",
            action: "\(base)/decide", formToken: FormPost.newToken(), submit: Self.title(kind), cancel: base, fields: fields)
        model.hidden = [.init(name: "decision", value: kind.rawValue)]
        model.intro = [Self.intro(kind)]
        if kind == .reject || kind == .withdraw {
            model.warning = "This cannot be undone: the referral is closed."
            model.isWarning = true
        }
        return model
    }

    private func show(_ referral: Referral, _ model: FormModel, notice: String?) -> Response {
        var chrome = Chrome.signedIn(WebScope.principal!, csrf: WebScope.csrf, current: "referrals")
        chrome.notice = notice
        chrome.back = .init(
            href: "/referrals/\(referral.id.uuidString.lowercased())", text: "Back to \(referral.details.personName)", current: false)
        return view.renderer.page(
            "form", title: (model.hasErrors ? "Error: " : "") + "\(model.heading), \(referral.details.personName)",
            chrome: chrome, view: model, status: model.hasErrors ? .badRequest : .ok)
    }

    static func title(_ kind: ReferralStore.DecisionKind) -> String {
        switch kind {
        case .accept: "Accept the referral"
        case .reject: "Reject the referral"
        case .requestInformation: "Ask for more information"
        case .provideInformation: "Record the answer"
        case .unableToMatch: "Record unable to match"
        case .withdraw: "Withdraw the referral"
        case .addInformation: "Add information"
        }
    }

    static func noteLabel(_ kind: ReferralStore.DecisionKind) -> String {
        switch kind {
        case .accept: "Note (optional)"
        case .reject: "Why it is rejected"
        case .requestInformation: "What you need to know"
        case .provideInformation: "The answer"
        case .unableToMatch: "Why no bed can be found"
        case .withdraw: "More about why (optional unless the reason is another reason)"
        case .addInformation: "The information"
        }
    }

    static func noteName(_ kind: ReferralStore.DecisionKind) -> String {
        switch kind {
        case .accept: "the note"
        case .reject: "why it is rejected"
        case .requestInformation: "what you need to know"
        case .provideInformation: "the answer"
        case .unableToMatch: "why no bed can be found"
        case .withdraw: "more about why it is withdrawn"
        case .addInformation: "the information"
        }
    }

    static func noteHint(_ kind: ReferralStore.DecisionKind) -> String? {
        switch kind {
        case .accept: "Anything the matching or the AP should know."
        case .requestInformation: "The referrer is asked this; the referral waits until the answer is recorded."
        case .withdraw: "Any upcoming placement of this referral is cancelled (Related referral withdrawn)."
        case .addInformation:
            "The referral unit (and the AP, once booked) sees it on the referral's timeline; the referral stays where it is."
        default: "This is kept on the referral's timeline and in the audit log."
        }
    }

    static func intro(_ kind: ReferralStore.DecisionKind) -> String {
        switch kind {
        case .accept: "The referral becomes ready to match: a bed can then be found and booked."
        case .reject: "The referral is closed as rejected."
        case .requestInformation: "The referral waits for the referrer's answer."
        case .provideInformation: "The referral goes back to assessment with the answer."
        case .unableToMatch: "The referral is marked unable to match; it can be accepted again later to try again."
        case .withdraw: "The referral is closed as withdrawn."
        case .addInformation: "Tell the referral unit something new about the person or their plans."
        }
    }

    /// The banner after a decision.
    static func banner(_ done: String?) -> String? {
        guard let done else { return nil }
        guard let kind = ReferralStore.DecisionKind(rawValue: done) else { return nil }
        return switch kind {
        case .accept: "The referral is accepted and ready to match"
        case .reject: "The referral is rejected"
        case .requestInformation: "The question is recorded"
        case .provideInformation: "The answer is recorded"
        case .unableToMatch: "The referral is marked unable to match"
        case .withdraw: "The referral is withdrawn"
        case .addInformation: "The information is added"
        }
    }
}
