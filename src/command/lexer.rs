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

pub fn tokenize(input: &str) -> Result<Vec<Token>, UserError> {
    let mut tokens = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if is_quote(c) {
            chars.next();
            tokens.push(Token::Quoted(quoted(&mut chars, input, start)?));
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
                    && is_quote(q)
                {
                    chars.next();
                    option_value = Some(quoted(&mut chars, input, qpos)?);
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

fn quoted(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    input: &str,
    start: usize,
) -> Result<String, UserError> {
    let mut text = String::new();
    for (_, c) in chars.by_ref() {
        if is_quote(c) {
            return Ok(text);
        }
        text.push(c);
    }
    let fragment: String = input[start..].chars().take(30).collect();
    Err(
        UserError::new(format!("unclosed quote: {fragment} has no closing \"."))
            .hint("Put the title in double quotes, like \"Cut churn to 3%\"."),
    )
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
