//! An identifier, `{"id", "idType"}`: the event's `customer`, and each of its `identifiers`
//! (docs/identity.md), checked alike.

use super::{Report, Validator};
use crate::base::error::ViolationCode as Code;
use crate::base::json::Json;
use crate::base::text::clip;
use crate::model::event::IdType;

/// Most identifiers one event may link; more is `TOO_MANY_IDENTIFIERS`, with nothing linked.
pub const MAX_IDENTIFIERS_PER_EVENT: usize = 100;

impl Validator<'_> {
    /// Checks one identifier object at `path`; `name` is how messages call it (`customer`).
    pub(super) fn identifier<'j>(
        &self,
        value: &'j Json<'_>,
        path: &str,
        name: &str,
        report: &mut Report<'_>,
    ) -> Option<(&'j str, IdType)> {
        if let Some(read) = self.valid_identifier(value) {
            return Some(read);
        }
        if !matches!(value, Json::Object(_)) {
            report.add(Code::TypeMismatch, path, format!("expected an object, got {}", value.type_name()));
            return None;
        }
        let id = self.identifier_id(value.get("id"), path, name, report);
        let id_type = identifier_type(value.get("idType"), path, name, report);
        id.zip(id_type)
    }

    /// The identifier `value` when nothing is wrong with it: the common case, read without
    /// writing out the paths a report would name.
    fn valid_identifier<'j>(&self, value: &'j Json<'_>) -> Option<(&'j str, IdType)> {
        let (Some(Json::String(id)), Some(Json::String(id_type))) = (value.get("id"), value.get("idType")) else {
            return None;
        };
        let id: &'j str = id;
        let fits = !id.is_empty() && !super::too_long(id, self.config.max_string_length);
        fits.then_some(()).and(IdType::parse(id_type)).map(|id_type| (id, id_type))
    }

    fn identifier_id<'j>(
        &self,
        id: Option<&'j Json<'_>>,
        path: &str,
        name: &str,
        report: &mut Report<'_>,
    ) -> Option<&'j str> {
        let at = format!("{path}/id");
        match id {
            None | Some(Json::Null) => report.add(Code::MissingCustomer, at, format!("{name}.id is required")),
            Some(Json::String(id)) if id.is_empty() => {
                report.add(Code::MissingCustomer, at, format!("{name}.id is empty"))
            }
            Some(Json::String(id)) => return self.bounded(id, &at, report),
            Some(other) => report.add(Code::TypeMismatch, at, format!("expected a string, got {}", other.type_name())),
        }
        None
    }

    /// The event's `identifiers`: absent, `null` or a list of at most
    /// [`MAX_IDENTIFIERS_PER_EVENT`] identifiers.
    pub(super) fn identifiers<'j>(
        &self,
        identifiers: Option<&'j Json<'_>>,
        report: &mut Report<'_>,
    ) -> Vec<(&'j str, IdType)> {
        let items = match identifiers {
            None | Some(Json::Null) => return Vec::new(),
            Some(Json::Array(items)) => items,
            Some(other) => {
                let message = format!("expected a list of identifiers, got {}", other.type_name());
                report.add(Code::TypeMismatch, "/identifiers", message);
                return Vec::new();
            }
        };
        if items.len() > MAX_IDENTIFIERS_PER_EVENT {
            let message = format!("{} identifiers; at most {MAX_IDENTIFIERS_PER_EVENT} are allowed", items.len());
            report.add(Code::TooManyIdentifiers, "/identifiers", message);
            return Vec::new();
        }
        let mut read = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Some(identifier) = self.valid_identifier(item) {
                read.push(identifier);
                continue;
            }
            let path = format!("/identifiers/{i}");
            if let Some(identifier) = self.identifier(item, &path, &format!("identifiers[{i}]"), report) {
                read.push(identifier);
            }
        }
        read
    }
}

fn identifier_type(id_type: Option<&Json<'_>>, path: &str, name: &str, report: &mut Report<'_>) -> Option<IdType> {
    let at = format!("{path}/idType");
    match id_type {
        None | Some(Json::Null) => report.add(Code::MissingField, at, format!("{name}.idType is required")),
        Some(Json::String(text)) => match IdType::parse(text) {
            Some(id_type) => return Some(id_type),
            None => report.add(
                Code::NotInEnum,
                at,
                format!("'{}' is not one of cookie, email, phone, externalContact, externalId", clip(text)),
            ),
        },
        Some(other) => report.add(Code::TypeMismatch, at, format!("expected a string, got {}", other.type_name())),
    }
    None
}
