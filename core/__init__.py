"""The base layer: pieces every app shares (the base page class, StreamField blocks, layout
template tags). It imports no app of the project, so apps can build on it without cycles."""
