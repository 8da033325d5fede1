//! Splits command text into words, quoted strings and `name:value` options.

use super::error::UserError;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Word(String),
    Quoted(String),
    /// `name:value`, where the value may be quoted (`why:"no owner yet"`).
    Option {
        name: String,
        value: String,
    },
}

impl Token {
    /// The token as the user typed it, for error messages.
    pub fn shown(&self) -> String {
        match self {
            Token::Word(w) => w.clone(),
            Token::Quoted(q) => format!("\"{q}\""),
            Token::Option { name, value } => format!("{name}:{value}"),
        }
    }
}

fn is_quote(c: char) -> bool {
    // Chat clients turn straight quotes into curly ones.
    matches!(c, '"' | '\u{201c}' | '\u{201d}' | '\u{201e}')
}

/// Single quotes quote too, but only where a word starts, and they close only where a word
/// ends: the apostrophe in `Ana's plan` stays an apostrophe.
fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}')
}

pub fn tokenize(input: &str) -> Result<Vec<Token>, UserError> {
    let mut tokens = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if is_quote(c) || is_single_quote(c) {
            chars.next();
            tokens.push(Token::Quoted(quoted(&mut chars, input, start, c)?));
            continue;
        }
        let mut word = String::new();
        let mut option_value = None;
        while let Some(&(_, c)) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            // `https://…` is a word, not an option named `https`.
            let url = chars.peek().is_some_and(|&(_, next)| next == '/');
            if c == ':' && option_value.is_none() && is_option_name(&word) && !url {
                // `why:"…"`: a quoted value may hold spaces.
                if let Some(&(qpos, q)) = chars.peek()
                    && (is_quote(q) || is_single_quote(q))
                {
                    chars.next();
                    option_value = Some(quoted(&mut chars, input, qpos, q)?);
                    break;
                }
                option_value = Some(String::new());
                continue;
            }
            match option_value.as_mut() {
                Some(v) => v.push(c),
                None => word.push(c),
            }
        }
        tokens.push(match option_value {
            Some(value) => Token::Option {
                name: word.to_ascii_lowercase(),
                value,
            },
            None => Token::Word(word),
        });
    }
    Ok(tokens)
}

fn is_option_name(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
}

/// The text up to the quote that closes the one `opened` (already read).
fn quoted(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    input: &str,
    start: usize,
    opened: char,
) -> Result<String, UserError> {
    let single = is_single_quote(opened);
    let mut text = String::new();
    while let Some((_, c)) = chars.next() {
        let closes = if single {
            is_single_quote(c) && chars.peek().is_none_or(|&(_, next)| next.is_whitespace())
        } else {
            is_quote(c)
        };
        if closes {
            return Ok(text);
        }
        text.push(c);
    }
    let fragment: String = input[start..].chars().take(30).collect();
    let close = if single { '\'' } else { '"' };
    Err(UserError::new(format!(
        "unclosed quote: {fragment} has no closing {close}."
    ))
    .hint("Put the title in quotes, like \"Cut churn to 3%\"."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(s: &str) -> Token {
        Token::Word(s.into())
    }
    fn opt(n: &str, v: &str) -> Token {
        Token::Option {
            name: n.into(),
            value: v.into(),
        }
    }

    #[test]
    fn splits_words_quotes_and_options() {
        let t = tokenize(r#"goal new "Cut churn to 3%" owner:@ana rank:1 why:"no home, yet" url:https://x.io/a?b=c"#).unwrap();
        assert_eq!(
            t,
            vec![
                word("goal"),
                word("new"),
                Token::Quoted("Cut churn to 3%".into()),
                opt("owner", "@ana"),
                opt("rank", "1"),
                opt("why", "no home, yet"),
                opt("url", "https://x.io/a?b=c"),
            ]
        );
    }

    #[test]
    fn accepts_curly_quotes_and_keeps_urls_whole() {
        let t = tokenize("note W-1 \u{201c}half done\u{201d} https://a.b/c").unwrap();
        assert_eq!(
            t,
            vec![
                word("note"),
                word("W-1"),
                Token::Quoted("half done".into()),
                word("https://a.b/c")
            ]
        );
    }

    #[test]
    fn reports_unclosed_quotes() {
        let err = tokenize(r#"goal new "Cut churn owner:@ana"#).unwrap_err();
        assert!(err.to_string().contains("unclosed quote"), "{err}");
        assert!(tokenize(r#"work new none x why:"never closed"#).is_err());
    }
}
