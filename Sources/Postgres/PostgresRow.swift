/// One row of a result, read by column name in PostgreSQL's text format.
public struct PostgresRow: Sendable {
    let columns: PostgresColumns
    let values: [String?]

    /// The value of a column; throws when the column is missing, NULL, or not a `T`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value = try decode(column, as: T?.self) else {
            throw PostgresDecodingError(type: "\(T.self) (found NULL)", column: column)
        }
        return value
    }

    /// The value of a nullable column; throws when the column is missing or not a `T`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T?.Type = T?.self) throws -> T? {
        guard let index = columns.index[column] else {
            throw PostgresDecodingError(type: "\(T.self) (no such column)", column: column)
        }
        guard let text = values[index] else { return nil }
        do {
            return try T(postgresText: text)
        } catch var error as PostgresDecodingError {
            error.column = column
            throw error
        }
    }

    /// Whether the row has a column of that name.
    public func has(_ column: String) -> Bool {
        columns.index[column] != nil
    }

    /// The column names, in order.
    public var columnNames: [String] { columns.names }
}

/// The column names of a result, shared by its rows.
final class PostgresColumns: Sendable {
    let names: [String]
    let index: [String: Int]

    init(names: [String]) {
        self.names = names
        var index = [String: Int]()
        for (position, name) in names.enumerated() where index[name] == nil {
            index[name] = position
        }
        self.index = index
    }
}

/// What a statement returned: its rows and how many rows it changed.
public struct PostgresResult: Sendable {
    /// The rows, in order.
    public var rows: [PostgresRow]
    /// Rows inserted, updated or deleted (0 for a query).
    public var affectedRows: Int
}
