from formatlens.ui.text import plain


def test_markdown_from_the_data_is_shown_as_text():
    assert plain("![x](http://tracker/x.png)") == r"\!\[x\]\(http\:\/\/tracker\/x\.png\)".replace(r"\/", "/")
    assert plain("**bold** <b> `code` $x$") == r"\*\*bold\*\* \<b\> \`code\` \$x\$"
