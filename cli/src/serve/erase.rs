//! Erasure over HTTP (docs/http.md, "Erasure"): Genesys' `DELETE
//! /api/v2/externalcontacts/contacts/{contactId}`, for a token with the `erase` grant, erases the
//! contact's whole profile (docs/identity.md, "Erasure"). The contact id is read as the journey
//! routes read it (`idType:id`, or a bare cookie id).

use super::auth::Caller;
use super::error::ApiError;
use super::params::{Params, Segments};
use super::state::{Shared, blocking};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::delete;
use journey_core::erase::ErasureInput;

/// The erasure route.
pub fn routes() -> Router<Shared> {
    Router::new().route("/api/v2/externalcontacts/contacts/{contact}", delete(erase_contact))
}

/// `DELETE /api/v2/externalcontacts/contacts/{contactId}?eraseForget=` → 200 with
/// `{"customersErased", "eventsErased"}` (zeros for a contact the engine holds nothing about:
/// deleting what is not there is not an error). With a durable store, the contact's bytes are gone
/// from its files when the answer is sent.
async fn erase_contact(
    State(state): State<Shared>,
    caller: Caller,
    Segments(contact): Segments<String>,
    params: Params,
) -> Result<Response, ApiError> {
    caller.require_erase()?;
    let customer = super::genesys::contact_customer(&contact)?;
    let erase_forget = params.boolean("eraseForget")?.unwrap_or(false);
    let erased = blocking(&state, move |engine| engine.erase(&ErasureInput { customer, erase_forget })).await?;
    Ok(axum::Json(erased).into_response())
}
