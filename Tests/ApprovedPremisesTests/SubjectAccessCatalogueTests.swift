import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

/// The subject access export is complete by construction: every table that can hold data about
/// a person is exported or deliberately left out, with the reason.
@Suite("The subject access catalogue", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct SubjectAccessCatalogueTests {
    /// The columns that name a person wherever they appear.
    static let personColumns = ["crn", "noms_number", "person_name", "date_of_birth", "pnc_number"]

    /// The tables of the database that can hold data about a person: those with a column that
    /// names one, a list of ids (an incident's residents), or a foreign key, directly or through
    /// another such table, to a placement or a referral.
    static func personTables(_ pool: PostgresPool) async throws -> Set<String> {
        try Set(
            await pool.query(
                """
                WITH RECURSIVE reference AS (
                    SELECT c.conrelid AS child, c.confrelid AS parent FROM pg_constraint c
                    JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = 'public'),
                about AS (
                    SELECT 'placement'::regclass::oid AS t UNION SELECT 'referral'::regclass::oid
                    UNION SELECT r.child FROM reference r JOIN about a ON a.t = r.parent),
                flagged AS (
                    SELECT t FROM about
                    UNION SELECT a.attrelid FROM pg_attribute a JOIN pg_class k ON k.oid = a.attrelid
                    JOIN pg_namespace n ON n.oid = k.relnamespace
                    WHERE n.nspname = 'public' AND k.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
                      AND (a.attname = ANY (\(Self.personColumns)::text[]) OR a.atttypid = 'uuid[]'::regtype))
                SELECT DISTINCT k.relname AS name FROM flagged f JOIN pg_class k ON k.oid = f.t
                WHERE k.relkind IN ('r', 'p') AND NOT k.relispartition
                """
            ).map { try $0.decode("name", as: String.self) })
    }

    @Test("every table that can hold a person's data is exported or named as left out with its reason; none is named twice or stale")
    func complete() async throws {
        try await TestDatabase.withDatabase { pool in
            let exported = Set(SubjectAccessCatalogue.sections.map(\.table) + [SubjectAccessCatalogue.audit.table])
            let leftOut = Set(SubjectAccessCatalogue.leftOut.keys)
            let flagged = try await Self.personTables(pool)
            let missing = flagged.subtracting(exported).subtracting(leftOut)
            #expect(
                missing.isEmpty, "tables that can hold a person's data, neither exported nor left out with a reason: \(missing.sorted())")
            #expect(exported.isDisjoint(with: leftOut))
            #expect(SubjectAccessCatalogue.leftOut.values.allSatisfy { $0.count > 20 }, "each table left out says why")
            let tables = Set(
                try await pool.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").map {
                    try $0.decode("tablename", as: String.self)
                })
            #expect(exported.union(leftOut).subtracting(tables).isEmpty, "sections of tables that do not exist")
            #expect(Set(SubjectAccessCatalogue.sections.map(\.name)).count == SubjectAccessCatalogue.sections.count)
            // The catalogue covers the tables it must: the person's own, and those two steps away.
            #expect(
                flagged.isSuperset(of: ["referral", "placement", "movement", "incident", "substance_test_result", "move_on_pathway_update"])
            )

            // And the test finds a new one: a table that refers to a stay, and one that names a person.
            try await pool.execute("CREATE TABLE visit_note (id bigint PRIMARY KEY, placement_id uuid REFERENCES placement (id))")
            try await pool.execute("CREATE TABLE visitor (id bigint PRIMARY KEY, person_name text)")
            let after = try await Self.personTables(pool).subtracting(exported).subtracting(leftOut)
            #expect(after == ["visit_note", "visitor"])
        }
    }
}
