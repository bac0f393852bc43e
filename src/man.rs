//! `provdiag man`: one manual page with every subcommand's options in it (clap_mangen's own page names a page
//! per subcommand, which nobody installs), then the environment and the exit codes.

use clap::CommandFactory;
use std::io::{self, Write};

use crate::cli::Cli;

/// Writes the page as roff.
pub fn render(out: &mut dyn Write) -> io::Result<()> {
    let cmd = Cli::command().disable_help_subcommand(true);
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    out.write_all(b".SH COMMANDS\n")?;
    for sub in cmd.get_subcommands() {
        subcommand(out, sub, "provdiag")?;
    }
    out.write_all(ENVIRONMENT.as_bytes())?;
    man.render_version_section(out)
}

/// A subcommand's synopsis, description and options, as subsections of COMMANDS (and its own subcommands').
fn subcommand(out: &mut dyn Write, sub: &clap::Command, parent: &str) -> io::Result<()> {
    let name = format!("{parent} {}", sub.get_name());
    let sub = sub.clone().bin_name(name.clone());
    let man = clap_mangen::Man::new(sub.clone());
    let mut page = Vec::new();
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    let page = String::from_utf8_lossy(&page);
    writeln!(out, ".SS \"{name}\"")?;
    for line in page.lines() {
        match line.strip_prefix(".SH ") {
            Some("SYNOPSIS") => {}
            Some("DESCRIPTION") => writeln!(out, ".PP")?,
            Some(heading) => writeln!(out, ".PP\n\\fI{}\\fR", heading.trim_matches('"').to_lowercase())?,
            None => writeln!(out, "{line}")?,
        }
    }
    for nested in sub.get_subcommands() {
        subcommand(out, nested, &name)?;
    }
    Ok(())
}

const ENVIRONMENT: &str = r#".SH ENVIRONMENT
.TP
\fBOKTA_CLIENT_ORGURL\fR
The default of \fBpull \-\-org\fR.
.TP
\fBOKTA_CLIENT_CLIENTID\fR, \fBOKTA_CLIENT_PRIVATEKEY\fR, \fBOKTA_CLIENT_PRIVATEKEYID\fR
An API Services app's client id and private key (a PEM or a JWK, or the path of a file that holds one; RSA or P\-256), and the key's id when the app has several: \fBpull\fR asks Okta for tokens with a signed client assertion and DPoP. Chosen first when both are set.
.TP
\fBOKTA_API_TOKEN\fR, \fBOKTA_CLIENT_TOKEN\fR
An API token (sent as SSWS). Chosen after the app, in this order.
.TP
\fBOKTA_ACCESS_TOKEN\fR
An OAuth 2.0 access token with the okta.logs.read scope (sent as Bearer). Chosen last. When several credentials are set, \fBpull\fR says on stderr which one it uses.
.TP
\fBPROVDIAG_REDACT_KEY\fR
The key of \fB\-\-redact\fR's pseudonyms: the same person gets the same pseudonym in every run.
.TP
\fBNO_COLOR\fR, \fBCLICOLOR\fR, \fBCLICOLOR_FORCE\fR, \fBTERM\fR
Color in the text report (see \fB\-\-color\fR).
.TP
\fBHTTPS_PROXY\fR, \fBALL_PROXY\fR, \fBNO_PROXY\fR
The proxy \fBpull\fR goes through (never for a loopback org).
.SH "EXIT STATUS"
.TP
0
No open failure selected by \fB\-\-fail\-on\fR.
.TP
1
At least one open failure selected by \fB\-\-fail\-on\fR.
.TP
2
A usage error, an unreadable input or rules file, or a pull that could not finish.
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_holds_every_subcommands_options_and_names_no_other_page() {
        let mut page = Vec::new();
        render(&mut page).expect("rendered");
        let page = String::from_utf8(page).expect("utf-8");
        let cmd = Cli::command();
        let mut missing = Vec::new();
        let mut walk = vec![cmd.clone()];
        while let Some(c) = walk.pop() {
            for arg in c.get_arguments().filter(|a| !a.is_hide_set()) {
                if let Some(long) = arg.get_long() {
                    if !page.contains(&format!("\\-\\-{}", long.replace('-', "\\-"))) {
                        missing.push(format!("{} --{long}", c.get_name()));
                    }
                }
            }
            walk.extend(c.get_subcommands().cloned());
        }
        assert_eq!(missing, Vec::<String>::new(), "options missing from the page");
        for sub in ["provdiag pull", "provdiag rules test", "provdiag completions"] {
            assert!(page.contains(&format!(".SS \"{sub}\"")), "{sub}");
        }
        assert!(
            !page.contains("provdiag\\-pull(1)") && !page.contains("SEE ALSO"),
            "no sub-pages named"
        );
        assert!(page.contains("OKTA_CLIENT_PRIVATEKEY") && page.contains("EXIT STATUS"));
    }
}
