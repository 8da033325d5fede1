//! Structured messages: replies and notifications as data, worded in `engine::replies` and
//! `engine::notices`. Plain text is rendered here (`text`, for the console and notification
//! previews); Slack blocks and Discord embeds by their adapters. All escaping happens there.

pub mod text;

use serde::{Deserialize, Serialize};

use crate::domain::Colour;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    Green,
    Amber,
    Red,
    /// Plain information.
    Neutral,
    /// The command failed and changed nothing.
    Error,
}

impl From<Colour> for Tone {
    fn from(c: Colour) -> Self {
        match c {
            Colour::Green => Tone::Green,
            Colour::Amber => Tone::Amber,
            Colour::Red => Tone::Red,
            Colour::None => Tone::Neutral,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Section {
    pub title: Option<String>,
    pub lines: Vec<String>,
    pub fields: Vec<Field>,
}

/// What an action needs from the reader before it can run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", content = "prompt", rename_all = "snake_case")]
pub enum Ask {
    /// Nothing: the command runs as it is.
    #[default]
    Nothing,
    /// A short text, appended to the command as a quoted note.
    Text(String),
    /// A person, appended to the command as a mention.
    Person(String),
}

/// Something a reader can do; `command` is the equivalent `/align …` text, so every button is
/// also reachable by typing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub label: String,
    pub command: String,
    #[serde(default)]
    pub ask: Ask,
    /// Actions that share a menu are offered as one choice (e.g. "link to one of these goals").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menu: Option<String>,
}

impl Action {
    /// The command as a person would type it, with a placeholder for what it asks.
    pub fn typed(&self) -> String {
        match &self.ask {
            Ask::Nothing => self.command.clone(),
            Ask::Text(prompt) => format!("{} \"<{}>\"", self.command, prompt.to_lowercase()),
            Ask::Person(_) => format!("{} @someone", self.command),
        }
    }

    /// The command to run once the reader has answered.
    pub fn with_answer(&self, answer: &str) -> String {
        match &self.ask {
            Ask::Nothing => self.command.clone(),
            Ask::Text(_) => format!("{} \"{}\"", self.command, answer.replace('"', "'")),
            Ask::Person(_) => format!("{} {answer}", self.command),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub headline: String,
    pub tone: Tone,
    pub sections: Vec<Section>,
    pub actions: Vec<Action>,
}

impl Message {
    pub fn new(tone: Tone, headline: impl Into<String>) -> Self {
        Message {
            headline: headline.into(),
            tone,
            sections: Vec::new(),
            actions: Vec::new(),
        }
    }

    pub fn info(headline: impl Into<String>) -> Self {
        Self::new(Tone::Neutral, headline)
    }

    pub fn section(mut self, section: Section) -> Self {
        if !section.lines.is_empty() || !section.fields.is_empty() {
            self.sections.push(section);
        }
        self
    }

    /// A titled list of lines; left out when empty.
    pub fn lines(self, title: impl Into<String>, lines: Vec<String>) -> Self {
        self.section(Section {
            title: Some(title.into()),
            lines,
            fields: Vec::new(),
        })
    }

    pub fn fields(self, fields: Vec<(&str, String)>) -> Self {
        let fields = fields
            .into_iter()
            .map(|(label, value)| Field {
                label: label.into(),
                value,
            })
            .collect();
        self.section(Section {
            title: None,
            lines: Vec::new(),
            fields,
        })
    }

    pub fn action(self, label: impl Into<String>, command: impl Into<String>) -> Self {
        self.push_action(label, command, Ask::Nothing, None)
    }

    /// An action that asks the reader for something first (see [`Ask`]).
    pub fn asking(self, label: impl Into<String>, command: impl Into<String>, ask: Ask) -> Self {
        self.push_action(label, command, ask, None)
    }

    /// One option of a menu of similar actions.
    pub fn menu_item(
        self,
        menu: impl Into<String>,
        label: impl Into<String>,
        command: impl Into<String>,
    ) -> Self {
        self.push_action(label, command, Ask::Nothing, Some(menu.into()))
    }

    fn push_action(
        mut self,
        label: impl Into<String>,
        command: impl Into<String>,
        ask: Ask,
        menu: Option<String>,
    ) -> Self {
        self.actions.push(Action {
            label: label.into(),
            command: command.into(),
            ask,
            menu,
        });
        self
    }
}

/// Where a delivered message landed on its platform, so it can be edited or replied to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRef {
    pub channel: String,
    pub id: String,
}

/// What a notification does: a new message, an edit of an episode's message, or one short
/// line in its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Post,
    Edit,
    Reply,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Post => "post",
            Op::Edit => "edit",
            Op::Reply => "reply",
        }
    }

    pub fn parse(s: &str) -> Option<Op> {
        [Op::Post, Op::Edit, Op::Reply]
            .into_iter()
            .find(|o| o.as_str() == s)
    }

    /// Whether the reader is pinged: a new message or a threaded line is; an edit is not.
    pub fn pushes(self) -> bool {
        self != Op::Edit
    }
}
