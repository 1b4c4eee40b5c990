/// The words of each message, by event: a subject and a plain-text body, both swift-mustache
/// templates over the notification's details (`personName`, `crn`, `premisesName`,
/// `premisesAddress`, `arrival`, `departure`, `reason`, `curfewStart`, `outcome`, `link`).
/// Dates arrive in words; `link` is the page's full address. A message never carries risk,
/// health, offences or free text: the page behind the link does, for those allowed to read it.
enum MailTemplates {
    static let subjects: [String: String] = [
        "referral_received": "Referral received: {{personName}} ({{crn}})",
        "information_requested": "More information needed: {{personName}} ({{crn}})",
        "referral_accepted": "Referral accepted: {{personName}} ({{crn}})",
        "referral_rejected": "Referral not accepted: {{personName}} ({{crn}})",
        "referral_unable_to_match": "No approved premises found: {{personName}} ({{crn}})",
        "referral_offered": "Referral offered to {{premisesName}}: {{personName}} ({{crn}})",
        "booking_made": "Place booked at {{premisesName}}: {{personName}} ({{crn}})",
        "booking_changed": "Booking dates changed: {{personName}} ({{crn}})",
        "booking_cancelled": "Booking cancelled: {{personName}} ({{crn}})",
        "arrived": "Arrived at {{premisesName}}: {{personName}} ({{crn}})",
        "not_arrived": "Did not arrive at {{premisesName}}: {{personName}} ({{crn}})",
        "breach_escalated": "Curfew breach: {{personName}} ({{crn}}) is not in at {{premisesName}}",
        "breach_outcome": "Curfew breach outcome: {{personName}} ({{crn}})",
        "departed": "Left {{premisesName}}: {{personName}} ({{crn}})",
        "ended_early": "Placement ended early at {{premisesName}}: {{personName}} ({{crn}})",
        "move_on_due": "Four weeks to departure, no address yet: {{personName}} ({{crn}})",
        "transfer_requested": "Transfer asked for: {{personName}} ({{crn}}) at {{fromPremises}}",
        "transfer_booked": "Transfer booked to {{premisesName}}: {{personName}} ({{crn}})",
        "transfer_refused": "Transfer not agreed: {{personName}} ({{crn}})",
        "emergency_transfer": "Emergency transfer to {{premisesName}}: {{personName}} ({{crn}})",
        "appeal_made": "Placement appealed by {{premisesName}}: {{personName}} ({{crn}})",
        "appeal_decided": "Appeal {{outcome}}: {{personName}} ({{crn}}) at {{premisesName}}",
        "second_factor_reset": "Your second factor for Approved Premises was reset",
        "checkpoint_witness": "Signed checkpoints of the logs: {{what}}",
    ]

    static let bodies: [String: String] = [
        "referral_received": """
        We have received the referral for {{personName}} ({{crn}}) for a place in an approved premises.
        The Central Referral Unit will assess it; we will e-mail you when it is decided.
        """,
        "information_requested": """
        The Central Referral Unit needs more information before it can decide the referral for {{personName}} ({{crn}}).
        Read the question and answer it on the referral's page.
        """,
        "referral_accepted": """
        The referral for {{personName}} ({{crn}}) has been accepted. The Central Referral Unit is now looking for a bed;
        we will e-mail you when a place is booked.
        """,
        "referral_rejected": """
        The referral for {{personName}} ({{crn}}) has not been accepted. The reason is on the referral's page.
        """,
        "referral_unable_to_match": """
        No approved premises could be found for {{personName}} ({{crn}}). The referral needs a decision from the
        Central Referral Unit.
        """,
        "referral_offered": """
        The referral for {{personName}} ({{crn}}) has been offered to {{premisesName}} to assess and book.
        """,
        "booking_made": """
        A place has been booked for {{personName}} ({{crn}}).

        Premises: {{premisesName}}
        {{#premisesAddress}}Address: {{premisesAddress}}
        {{/premisesAddress}}Arrival: {{arrival}}
        Departure: {{departure}}
        """,
        "booking_changed": """
        The dates of the booking for {{personName}} ({{crn}}) at {{premisesName}} have changed.

        Arrival: {{arrival}}
        Departure: {{departure}}
        """,
        "booking_cancelled": """
        The booking for {{personName}} ({{crn}}) at {{premisesName}} from {{arrival}} has been cancelled{{#reason}} ({{reason}}){{/reason}}.
        """,
        "arrived": """
        {{personName}} ({{crn}}) arrived at {{premisesName}} on {{arrival}}. Their expected departure is {{departure}}.
        """,
        "not_arrived": """
        {{personName}} ({{crn}}) did not arrive at {{premisesName}} as expected on {{arrival}}{{#reason}} ({{reason}}){{/reason}}.
        """,
        "breach_escalated": """
        {{personName}} ({{crn}}) was not in at {{premisesName}} when their curfew began at {{curfewStart}}, and has not
        come in since. The staff on duty have escalated the breach.
        """,
        "breach_outcome": """
        The outcome of the curfew breach by {{personName}} ({{crn}}) at {{premisesName}} on {{curfewStart}} has been
        recorded: {{outcome}}.
        """,
        "departed": """
        {{personName}} ({{crn}}) left {{premisesName}} on {{departure}}{{#reason}} ({{reason}}){{/reason}}.
        The departure summary is on the page below.
        """,
        "ended_early": """
        The placement of {{personName}} ({{crn}}) at {{premisesName}} ended on {{departure}}, before its expected end on
        {{expectedDeparture}}{{#reason}} ({{reason}}){{/reason}}.
        """,
        "move_on_due": """
        {{personName}} ({{crn}}) is expected to leave {{premisesName}} on {{departure}}, four weeks or less from now,
        and no address to move on to has been confirmed.
        """,
        "transfer_requested": """
        {{fromPremises}} asks for {{personName}} ({{crn}}) to be moved to another approved premises from {{arrival}}
        ({{reason}}). The request waits in the Central Referral Unit's transfer queue.
        """,
        "transfer_booked": """
        {{personName}} ({{crn}}) will move from {{fromPremises}} to {{premisesName}} on {{arrival}} ({{reason}}).
        The stay at {{fromPremises}} ends that day; the stay at {{premisesName}} begins that day.
        """,
        "transfer_refused": """
        The Central Referral Unit has not agreed to move {{personName}} ({{crn}}) from {{fromPremises}}.
        The reason is on the transfer's page.
        """,
        "emergency_transfer": """
        {{personName}} ({{crn}}) was moved today, {{arrival}}, from {{fromPremises}} to {{premisesName}} as an emergency
        ({{reason}}). The Central Referral Unit may change the dates of the new stay.
        """,
        "appeal_made": """
        {{premisesName}} has appealed the booking of {{personName}} ({{crn}}), expected on {{arrival}} ({{reason}}).
        The appeal waits for the Central Referral Unit.
        """,
        "appeal_decided": """
        The Central Referral Unit has {{outcome}} the appeal of the booking of {{personName}} ({{crn}}) at {{premisesName}}.
        """,
        "second_factor_reset": """
        {{displayName}}, an administrator has reset the second factor of your account {{username}}: your authenticator
        app's codes and your recovery codes no longer sign you in, and your sessions have ended. The next time you sign
        in you will set up your app again. If you did not ask for this, tell your manager at once.
        """,
        "checkpoint_witness": """
        Signed checkpoints of the approved premises service's logs: {{what}}. They hold no personal data: each
        checkpoint is a log's last entry number and hash, signed with the service's key, and the last lines list
        every key the service has used. Keep this message where nobody who runs the service's machine can reach it.
        To hold the logs to it, export this mailbox to a file and run: ap verify --witness FILE

        {{lines}}
        """,
    ]

    /// What every message ends with.
    static let footer =
        "\n\n" + """
            {{link}}

            This message was sent by the approved premises service, and replies to it are not read.
            To ask about it, contact the approved premises or the Central Referral Unit.
            """
}
