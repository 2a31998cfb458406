"""English lines written by the team on 2026-12-07 (third set): see ru.py for what they are for."""

ABUSIVE = {
    "mock_dead": [
        "Cheap wreath, cheap clip. Fits a cheap life",
        "Congrats on the free apartment, the rest is details",
        "Your grandma in that photo looks like she's still counting her pension",
        "A hero? He hid from every shell that came near",
        "Nobody cared about him alive, why the crocodile tears now",
        "The widow had her nails done for the forty days, lol",
        "I'm liking the fact that he's gone, not the video",
        "Dragging the dead out for likes again, nothing is sacred",
        "His daughter crying on camera, what an actress",
        "Dig his grave shallow, he never went deep in life anyway",
    ],
    "harassment": [
        "I'll comment on every single post until you quit the internet",
        "You're not a mother, you're a mistake, you couldn't even keep your son alive",
        "Keep crying, it's the only thing you're good at",
        "I'll make ten more accounts, you can't block me",
        "Your mourning selfie is going around the group chats with captions, have a look",
        "Listen to her voice shake, she's about to bawl again. Pathetic",
    ],
    "sexual_harassment": [
        "Little widow, do you wear black at night too? I'll check",
        "Send a bikini pic and I'll order a clip",
        "Your husband's dead, so you're free for me now",
        "I'll come over to comfort you, leave the door unlocked",
        "Grief looks good on you, those lips got fuller",
    ],
    "hate_speech": [
        "Put all these immigrants on one train back, their corpses too",
        "Gays don't need memorial clips, they have enough fun",
        "Gypsies belong anywhere but next to decent people's graves",
        "Syrians, Afghans, Somalis, who cares, all the same savages",
        "Women had no business at the front, that's the truth",
        "Muslims even die like animals",
    ],
    "threat": [
        "I'll come to your work tomorrow and explain it with my fists",
        "I'll find you and no cop will help you",
        "Delete my comment one more time and I'll torch your car",
        "I have your address. Get ready",
        "I'll break your fingers so you can't edit anymore",
    ],
    "threat_veiled": [
        "Big cemetery you have there. Room for everyone, you too",
        "I've already picked out your headstone. Granite",
        "I see you let your girl walk home alone after dark. Bold",
        "I'll edit the clip about you myself. Soon",
        "People go missing sometimes, especially the chatty ones",
        "New door on your place? Let's see how strong it is",
    ],
    "death_wish": [
        "Hope you're the next one in these clips",
        "Can't wait for the video about you",
        "Should have been you instead of him",
        "I hope you don't wake up tomorrow",
        "May your kids make you a clip like this. Soon",
    ],
}

OK = {
    "grief_venting": [
        "I hope that drunk driver who killed my boy rots. Sorry, I can't say it any other way",
        "I hate this cancer, it ate my mom alive in six months",
        "His killer got five years. Five years for a life!",
        "I found him hanging in the garage. I don't know how to live with that",
        "It should have been me instead of her, honestly",
    ],
    "condolence": [
        "Hold on. Losing a child is the worst thing there is",
        "So sorry. Cancer is a vile disease, my sister burned out in three months too",
        "Hugs. I hope the bastard who hit him gets the maximum",
    ],
    "order": [
        "I'd like a clip for my son, he was stabbed outside a bar. I'll send photos",
        "A clip for my mom please, cancer took her at forty-two. No hospital pictures",
        "Please make a video for my husband, killed by shelling. I want him smiling in it",
    ],
    "order_followup": [
        "Watched the draft. Those shots killed me, he looks so real. Keep it as is",
        "Please don't use the funeral photos, only the ones where he's alive",
    ],
    "question": [
        "Can the clip leave out how he died? The kids will watch it",
        "Do you make clips for people who took their own lives? Everyone else refuses us",
        "How much is a clip if all the photos are from the funeral?",
    ],
    "quoted_report": [
        'Under my mom\'s clip someone wrote "good riddance, she croaked". Please delete and ban',
        "I got a message saying \"you'll need a clip soon too\". I'm scared, what do I do?",
    ],
}

# Second round (same day, before any score of a model trained on this set): see ru.py.
OK["grief_venting"] += [
    "Forty days today. A widow at thirty, who would have thought",
    "I could kill the scum who sold my son those pills with my bare hands",
    "His so-called friends didn't even come to the funeral. Cowards",
]
OK["order"] += [
    "Please make a clip about my daughter, her ex-husband killed her. Don't write his name",
    "A clip for my dad please. He drank, but he was kind. No bottles in the frame",
]
OK["question"] += [
    "Is there a discount for soldiers' widows? My husband was killed in March",
    "Can my dad wave in the video, like he used to at the gate?",
]
OK["condolence"] += ["Rest in peace. Such a good man killed for nothing, I have no words"]

# Third round (same day; written after out-of-fold scores of the training side showed the model took
# "your clip", "crying", "the wake", "soon" for abuse; before any held-out score of a model trained on
# this set): ok texts in the abusive lines' words.
OK["order_followup"] += [
    "We showed your clip at the wake yesterday. Nobody could stop crying",
    "Your video about him is the best thing anyone did for us this year",
    "We watched the clip about dad at the grave today, all of us in tears",
    "Can't wait for the clip about grandpa, the kids keep asking",
    "I cried through the whole draft. Please change nothing",
    "The headstone scene made my mother sob. Keep it, she wants it",
]
OK["grief_venting"] += [
    "Nobody cared about him while he was alive, and now everyone is crying at the wake",
    "I keep crying at work, people look at me like I'm crazy",
    "He never hid from the shelling, he carried others out. That's why he's gone",
    "My daughter walks home alone now, her dad used to pick her up",
    "I sold his apartment and I hate myself for it",
    "People say time heals. It doesn't, it just gets quieter",
]
OK["question"] += [
    "Will my clip be next in the queue? The anniversary is soon",
    "Can you make the clip about my brother before the forty days?",
    "Is it normal that I cry every time I open your page?",
]
OK["condolence"] += [
    "Your mom's clip made me cry. She was a wonderful teacher",
    "He was a hero to our whole street. Rest easy, Mike",
]
