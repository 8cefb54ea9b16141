"""The check stage: names, types and Bitrix's rules; produces the model codegen trusts."""
