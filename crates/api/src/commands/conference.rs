//! Conference rooms: a number anyone can dial (or a business name can lead to) where
//! everyone hears everyone else, optionally behind a PIN, and the people in each room now,
//! whom the owner can mute or remove.
//!
//! Every change to the rooms makes the PBX re-read them at once and sends
//! [`Event::ConferenceChanged`], the event the rooms themselves send when someone joins,
//! leaves or is muted, so the rooms page follows both.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::events::Event;
use crate::ApiError;

/// A conference room. Its PIN is never shown again once saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConferenceRoom {
    pub number: String,
    pub name: String,
    /// Whether callers must type the room's PIN (then `#`) to join.
    pub has_pin: bool,
}

impl From<store::ConferenceRoom> for ConferenceRoom {
    fn from(r: store::ConferenceRoom) -> ConferenceRoom {
        ConferenceRoom {
            number: r.number,
            name: r.name,
            has_pin: r.has_pin,
        }
    }
}

/// Someone in a room now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConferenceParticipant {
    /// Names the participant while connected, for mute and remove.
    pub id: u64,
    /// The room's number.
    pub room: String,
    /// The caller's number and name.
    pub number: String,
    pub name: Option<String>,
    /// The codec the caller's phone talks in (`PCMU`, `G722`, `opus`…).
    pub codec: String,
    /// A muted participant hears the room but is not heard.
    pub muted: bool,
    /// False while the caller is still typing the PIN.
    pub in_room: bool,
    /// Unix seconds.
    pub joined_at: u64,
}

impl From<engine::ParticipantInfo> for ConferenceParticipant {
    fn from(p: engine::ParticipantInfo) -> ConferenceParticipant {
        ConferenceParticipant {
            id: p.id,
            room: p.room,
            number: p.number,
            name: p.name,
            codec: p.codec,
            muted: p.muted,
            in_room: p.in_room,
            joined_at: p.joined_at,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListConferenceRoomsRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListConferenceRoomsResponse {
    pub rooms: Vec<ConferenceRoom>,
    /// Everyone in any room now, by room.
    pub participants: Vec<ConferenceParticipant>,
}

impl Command for ListConferenceRoomsRequest {
    const NAME: &'static str = "list_conference_rooms";
    type Response = ListConferenceRoomsResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListConferenceRoomsResponse, ApiError> {
        let rooms = ctx.store(|s| Ok(s.conference_rooms()?)).await?;
        Ok(ListConferenceRoomsResponse {
            rooms: rooms.into_iter().map(ConferenceRoom::from).collect(),
            participants: ctx
                .engine
                .conference_participants()
                .into_iter()
                .map(ConferenceParticipant::from)
                .collect(),
        })
    }
}

/// Adds a room; its number must not be an extension's, a ring group's or another room's.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AddConferenceRoomRequest {
    pub number: String,
    pub name: String,
    /// 3 to 10 digits; left out or empty for a room anyone may join.
    #[serde(default)]
    #[ts(optional)]
    pub pin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConferenceRoomResponse {
    pub room: ConferenceRoom,
}

impl Command for AddConferenceRoomRequest {
    const NAME: &'static str = "add_conference_room";
    type Response = ConferenceRoomResponse;

    async fn run(self, ctx: &Ctx) -> Result<ConferenceRoomResponse, ApiError> {
        let number = self.number.trim().to_owned();
        let pin = self
            .pin
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty());
        let room = ctx
            .store(move |s| Ok(s.create_conference_room(&number, &self.name, pin.as_deref())?))
            .await?;
        rooms_changed(ctx, &room.number).await;
        Ok(ConferenceRoomResponse { room: room.into() })
    }
}

/// Renames a room and sets or removes its PIN (the PIN is kept when neither is asked).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EditConferenceRoomRequest {
    pub number: String,
    pub name: String,
    /// A new PIN (3 to 10 digits); left out or empty keeps the current one.
    #[serde(default)]
    #[ts(optional)]
    pub pin: Option<String>,
    /// Lets anyone join without a PIN.
    #[serde(default)]
    #[ts(optional)]
    pub remove_pin: Option<bool>,
}

impl Command for EditConferenceRoomRequest {
    const NAME: &'static str = "edit_conference_room";
    type Response = ConferenceRoomResponse;

    async fn run(self, ctx: &Ctx) -> Result<ConferenceRoomResponse, ApiError> {
        let number = self.number.trim().to_owned();
        let pin = match (
            self.pin
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty()),
            self.remove_pin.unwrap_or(false),
        ) {
            (Some(pin), _) => store::PinChange::Set(pin),
            (None, true) => store::PinChange::Remove,
            (None, false) => store::PinChange::Keep,
        };
        let name = self.name;
        let room = ctx
            .store(move |s| {
                s.edit_conference_room(&number, &name, &pin)
                    .map_err(|e| ApiError::from_store(e, "number"))
            })
            .await?;
        rooms_changed(ctx, &room.number).await;
        Ok(ConferenceRoomResponse { room: room.into() })
    }
}

/// Removes a room; refused while a business name or another destination leads to it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoveConferenceRoomRequest {
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RemoveConferenceRoomResponse {}

impl Command for RemoveConferenceRoomRequest {
    const NAME: &'static str = "remove_conference_room";
    type Response = RemoveConferenceRoomResponse;

    async fn run(self, ctx: &Ctx) -> Result<RemoveConferenceRoomResponse, ApiError> {
        let number = self.number.trim().to_owned();
        let removed = number.clone();
        ctx.store(move |s| {
            s.remove_conference_room(&removed)
                .map_err(|e| ApiError::from_store(e, "number"))
        })
        .await?;
        rooms_changed(ctx, &number).await;
        Ok(RemoveConferenceRoomResponse {})
    }
}

/// Mutes or unmutes a participant: a muted one still hears the room.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct MuteParticipantRequest {
    pub id: u64,
    pub muted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ParticipantResponse {}

impl Command for MuteParticipantRequest {
    const NAME: &'static str = "mute_participant";
    type Response = ParticipantResponse;

    async fn run(self, ctx: &Ctx) -> Result<ParticipantResponse, ApiError> {
        if !ctx.engine.mute_participant(self.id, self.muted).await? {
            return Err(no_participant(self.id));
        }
        Ok(ParticipantResponse {})
    }
}

/// Ends a participant's call.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoveParticipantRequest {
    pub id: u64,
}

impl Command for RemoveParticipantRequest {
    const NAME: &'static str = "remove_participant";
    type Response = ParticipantResponse;

    async fn run(self, ctx: &Ctx) -> Result<ParticipantResponse, ApiError> {
        if !ctx.engine.remove_participant(self.id).await? {
            return Err(no_participant(self.id));
        }
        Ok(ParticipantResponse {})
    }
}

fn no_participant(id: u64) -> ApiError {
    ApiError::NotFound {
        message: format!("participant {id} is not in a conference room"),
        field: "id",
    }
}

/// Makes the PBX route to the rooms as saved now, then tells every screen.
async fn rooms_changed(ctx: &Ctx, room: &str) {
    if let Err(e) = ctx.engine.reload_extensions().await {
        tracing::warn!(error = %e, "saved the conference room; the PBX will read it when it runs");
    }
    ctx.publish(Event::ConferenceChanged {
        room: room.to_owned(),
    });
}
