import ArgumentParser

/// The commands AP staff use, every one a call on the service over HTTP: this target knows
/// the API client and nothing of the database, the domain or the server.
public enum StaffCommandLine {
    /// The staff commands, in the order `ap --help` lists them.
    public static let commands: [any ParsableCommand.Type] = [
        Login.self, Logout.self, WhoAmI.self, SessionsCommand.self, StaffCommand.self, PremisesCommand.self, BedsCommand.self,
        PlacementsCommand.self,
        ReferralsCommand.self, MatchCommand.self, TransfersCommand.self, AppealsCommand.self, Tonight.self, SignOut.self, SignIn.self,
        Check.self, Checks.self, Sync.self,
        BreachesCommand.self,
        IncidentCommand.self, CurfewCommand.self, HandoverCommand.self, Verify.self, NotificationsCommand.self, MailboxesCommand.self,
        ResidentCommand.self, KeyWorkCommand.self,
        TestsCommand.self, MoveOnCommand.self, ReportCommand.self, SubjectAccessCommand.self, AuditCommand.self,
    ]
}
