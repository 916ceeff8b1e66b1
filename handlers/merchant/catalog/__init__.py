"""Staff run the catalog in chat: /products, the product card and editor, /newproduct, stock."""
