//! The core's closed vocabularies (stages, kinds, reasons...) as clap values: accepted
//! with hyphens or underscores, shown with hyphens in help and completions, and a bad
//! value is refused with the list of choices.

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;
use onward_core::model::*;
use std::ffi::OsStr;
use std::marker::PhantomData;
use std::str::FromStr;

/// A core enum the command line can take.
pub trait Vocabulary: FromStr + Copy + Send + Sync + 'static {
    fn all() -> &'static [Self];
    fn stored(self) -> &'static str;

    /// The spelling for the command line: `thank-you` for `thank_you`.
    fn spoken(self) -> String {
        self.stored().replace('_', "-")
    }

    fn choices() -> String {
        Self::all()
            .iter()
            .map(|v| v.spoken())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

macro_rules! vocabulary {
    ($($ty:ty),+ $(,)?) => {
        $(impl Vocabulary for $ty {
            fn all() -> &'static [Self] {
                <$ty>::ALL
            }
            fn stored(self) -> &'static str {
                self.as_str()
            }
        })+
    };
}

vocabulary!(
    ActivityCategory,
    Channel,
    ContactRole,
    ContextFactor,
    EntryKind,
    GoalKind,
    GoalStatus,
    InterviewKind,
    Kind,
    MessageKind,
    Outcome,
    Reason,
    Source,
    Stage,
    WorkMode,
);

/// The clap value parser for a [`Vocabulary`]: `value_parser = vocab::parser::<Stage>()`.
pub fn parser<T: Vocabulary>() -> Parser<T> {
    Parser(PhantomData)
}

#[derive(Clone)]
pub struct Parser<T>(PhantomData<T>);

impl<T: Vocabulary> TypedValueParser for Parser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let text = value.to_string_lossy();
        text.parse::<T>().map_err(|_| {
            let name = arg.map(|a| a.to_string()).unwrap_or_else(|| "value".into());
            clap::Error::raw(
                ErrorKind::InvalidValue,
                format!(
                    "\"{text}\" is not a choice for {name}; choose one of: {}\n",
                    T::choices()
                ),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            T::all().iter().map(|v| PossibleValue::new(v.spoken())),
        ))
    }
}
