import Mustache

// The record pages' and forms' views answer the templates' names directly: by reflection a
// template walks every stored property of a view for each name it looks up, which made a page
// of a hundred rows several times slower than the API calls it shows (`ap db bench-pages`).

extension RecordsPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "caption": caption
        case "heading": heading
        case "intro": intro
        case "actions": actions
        case "filter": filter
        case "filterAction": filterAction
        case "hasFilter": hasFilter
        case "summaries": summaries
        case "tables": tables
        case "printable": printable
        case "preformatted": preformatted
        case "hasPreformatted": hasPreformatted
        default: nil
        }
    }
}

extension RecordsPage.Table: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "caption": caption
        case "headers": headers
        case "rows": rows
        case "body": HTML.rows(rows.map(\.cells))
        case "none": none
        case "id": id
        default: nil
        }
    }
}

extension RecordsPage.Row: MustacheParent {
    func child(named name: String) -> Any? { name == "cells" ? cells : nil }
}

extension RecordsPage.Cell: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "text": text
        case "href": href
        case "hidden": hidden
        case "hasHref": hasHref
        case "hasHidden": hasHidden
        default: nil
        }
    }
}

extension PlacementPages.Link: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "href": href
        case "text": text
        case "current": current
        default: nil
        }
    }
}

extension PlacementPages.SummaryList: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "heading": heading
        case "rows": rows
        default: nil
        }
    }
}

extension PlacementPages.SummaryRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "key": key
        case "value": value
        case "change": change
        case "changeName": changeName
        default: nil
        }
    }
}

extension PlacementPages.Table: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "caption": caption
        case "headers": headers
        case "rows": rows
        case "body": HTML.rows(rows.map(\.cells))
        case "none": none
        case "id": id
        default: nil
        }
    }
}

extension PlacementPages.Table.Row: MustacheParent {
    func child(named name: String) -> Any? { name == "cells" ? cells : nil }
}

extension PlacementPages.Model: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "person": person
        case "crn": crn
        case "status": status
        case "statusClass": statusClass
        case "tabs": tabs
        case "tabName": tabName
        case "actions": actions
        case "summaries": summaries
        case "tables": tables
        case "note": note
        case "preformatted": preformatted
        default: nil
        }
    }
}

extension FormModel.Field: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "label": label
        case "name": self.name
        case "hint": hint
        case "error": error
        case "value": value
        case "options": options
        case "kind": kind
        case "isRadios": isRadios
        case "isCheckboxes": isCheckboxes
        case "isSelect": isSelect
        case "isTextarea": isTextarea
        case "isInput": isInput
        case "isDate": isDate
        case "isPassword": isPassword
        case "width": width
        case "day": day
        case "month": month
        case "year": year
        case "dayError": dayError
        case "monthError": monthError
        case "yearError": yearError
        case "describedBy": describedBy
        default: nil
        }
    }
}

extension FormModel.Option: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "value": value
        case "text": text
        case "hint": hint
        case "checked": checked
        case "inputID": inputID
        default: nil
        }
    }
}
