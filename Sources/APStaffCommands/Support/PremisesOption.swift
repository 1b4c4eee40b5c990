import APClient
import ArgumentParser
import Foundation

/// The premises a command is about, with the time zone its times are read and shown in.
struct PremisesContext: Sendable {
    /// The premises' id.
    let id: String
    /// The premises' time zone, as the service gives it.
    let timeZone: TimeZone
    /// Its code, and the caller's staff id, when the service said them.
    var code: String?
    var staffID: String?

    init(id: String, timeZone identifier: String, code: String? = nil, staffID: String? = nil) throws {
        guard let zone = TimeZone(identifier: identifier) else {
            throw CLIError("the service gave a time zone this machine does not know: \(identifier)")
        }
        self.id = id
        self.timeZone = zone
        self.code = code
        self.staffID = staffID
    }
}

/// Which premises a command is about: the one given, else the caller's own.
struct PremisesOption: ParsableArguments {
    @Option(help: "The premises (code or id); your own when you work at one.") var premises: String?

    /// The premises and its time zone, from the service.
    func resolve(_ client: Client) async throws -> PremisesContext {
        if let premises {
            let found = try await client.premises(codeOrID: premises)
            return try PremisesContext(id: found.id, timeZone: found.timeZone, code: found.code)
        }
        let me = try await client.getMe().ok.body.json
        guard let own = me.staff.premisesId else {
            throw CLIError("say which premises with --premises CODE: you do not work at one")
        }
        return try PremisesContext(id: own, timeZone: me.timeZone, staffID: me.staff.id)
    }
}

extension Client {
    /// One premises by id or code.
    func premises(codeOrID: String) async throws -> Components.Schemas.Premises {
        if UUID(uuidString: codeOrID) != nil {
            return try await getPremises(path: .init(premisesId: codeOrID)).ok.body.json
        }
        guard let found = try await allPremises().first(where: { $0.code == codeOrID.uppercased() }) else {
            throw CLIError("there is no premises with code \(codeOrID) that you can see")
        }
        return found
    }

    /// A premises id from an id or a code.
    func premisesID(_ codeOrID: String) async throws -> String {
        if UUID(uuidString: codeOrID) != nil { return codeOrID.lowercased() }
        return try await premises(codeOrID: codeOrID).id
    }

    /// Every premises the caller can see.
    func allPremises() async throws -> [Components.Schemas.Premises] {
        try await allPages { cursor in
            let page = try await listPremises(query: .init(limit: 200, cursor: cursor)).ok.body.json
            return (page.items, page.nextCursor)
        }
    }

    /// Who the caller is.
    func me() async throws -> Components.Schemas.Staff {
        try await getMe().ok.body.json.staff
    }

    /// Every item of a paged list, fetching page after page.
    func allPages<Item>(_ fetch: (_ cursor: String?) async throws -> (items: [Item], next: String?)) async throws -> [Item] {
        var items = [Item]()
        var cursor: String? = nil
        repeat {
            let page = try await fetch(cursor)
            items += page.items
            cursor = page.next
        } while cursor != nil
        return items
    }
}

extension Optional {
    /// `map` for an asynchronous transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

/// What a command about one premises starts from: the service, signed in, and the premises
/// (`--premises`, else the caller's own) with its time zone.
struct AtPremises: ParsableArguments {
    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption

    /// The signed-in client and the premises.
    func open() async throws -> (client: Client, here: PremisesContext) {
        let (client, _) = try await service.session()
        return (client, try await premises.resolve(client))
    }
}
