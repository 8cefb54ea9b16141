// SYNTAX TEST "source.bpl" "strings, interpolation, references, keywords, comments, durations"

// A comment with doc.TITLE in it
// <- comment.line.double-slash.bpl
//             ^^^^^^^^^ comment.line.double-slash.bpl

/* a block comment */
// <- comment.block.bpl

import "common.bpl"
// <- keyword.control.import.bpl
//     ^^^^^^^^^^^^ string.quoted.double.bpl

workflow deal_approval for crm.deal {
// <- storage.type.workflow.bpl
//       ^^^^^^^^^^^^^ entity.name.type.workflow.bpl
//                     ^^^ keyword.control.bpl
    title "Approval"
//  ^^^^^ keyword.other.option.bpl
    param limit: double = 100000 "Amount limit"
//  ^^^^^ storage.type.declaration.bpl
//        ^^^^^ variable.other.declaration.bpl
//               ^^^^^^ support.type.bpl
//                        ^^^^^^ constant.numeric.bpl
    approve "Approve {doc.TITLE} \{x\} {=Document:ID}" by const.head as vote1 {
//  ^^^^^^^ keyword.other.statement.bpl
//          ^^^^^^^^^ string.quoted.double.bpl
//                   ^ punctuation.section.interpolation.begin.bpl
//                    ^^^ variable.language.bpl
//                       ^ punctuation.accessor.bpl
//                        ^^^^^ variable.other.member.bpl
//                             ^ punctuation.section.interpolation.end.bpl
//                               ^^ constant.character.escape.bpl
//                                     ^^^^^^^^^^^^^^ constant.other.placeholder.bitrix.bpl
//                                                     ^^ keyword.other.statement.bpl
//                                                                   ^^ keyword.other.option.bpl
//                                                                      ^^^^^ entity.name.label.bpl
        timeout 2d
//              ^^ constant.numeric.duration.bpl
    } approved {
//    ^^^^^^^^ keyword.control.bpl
        log "by {vote1.LastApprover | printable} in {datediff(system.now, doc.BEGINDATE)}"
//               ^^^^^ variable.other.label.bpl
//                     ^^^^^^^^^^^^ variable.other.member.bpl
//                                  ^ keyword.operator.modifier.bpl
//                                    ^^^^^^^^^ support.function.modifier.bpl
//                                                   ^^^^^^^^ entity.name.function.call.bpl
        wait -2d
//            ^^ constant.numeric.duration.bpl
    }
    if doc.OPPORTUNITY > param.limit and not var.ok {
//  ^^ keyword.control.bpl
//                     ^ keyword.operator.comparison.bpl
//                                   ^^^ keyword.operator.word.bpl
        var.ok = true
//               ^^^^ constant.language.boolean.bpl
    }
    description """
        Amount: {doc.OPPORTUNITY}
//              ^ punctuation.section.interpolation.begin.bpl
//               ^^^ variable.language.bpl
        """
}
