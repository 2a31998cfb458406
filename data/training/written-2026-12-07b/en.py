"""English lines written by the team on 2026-12-07 (second set): see ru.py for what they are for."""

ABUSIVE = {
    "threat_veiled": [
        "Nice porch you have. Nice daughter too",
        "Your boy wears a blue jacket to school, right? Cute kid",
        "Grey Honda, parked by the third entrance. Still in one piece, for now",
        "Quiet street you live on. Especially at night when nobody is looking",
        "Say hi to your mum for me. She lives alone on Park Road, doesn't she?",
        "Lovely dog. Would be a shame if it went missing",
        "Thanks for posting your kids' photos. Very helpful",
        "Ground floor windows. Brave of you",
        "One more post about me and your husband will need a memorial video too",
        "You visit the cemetery alone on Sundays, don't you? Lonely place",
        "I know what time your husband walks home. Dark by the garages",
        "Pretty curtains in your kitchen. You can see everything in the evening",
    ],
    "hate_speech": [
        "Don't make clips for gypsies, they'll just steal them",
        "Muslims are all the same, today a clip, tomorrow a bomb",
        "Migrants should go grieve in their own countries",
        "Pro tip: don't work with Jews, they'll cheat you",
        "People like gays don't deserve to be remembered",
        "Women in the army are a disgrace, no wonder they die",
        "Disabled people just drain our taxes, and now you make them cartoons",
        "Refugees only know how to beg for handouts",
        "Just saying, Asians shouldn't get the same service as normal people",
        "Black families can make their own videos, not my problem",
    ],
    "mock_dead": [
        "Judging by his face in the photo he drank himself to death. Figures",
        "Grandpa waving in the video like he's saying hi from hell",
        "He died, so what, one less mouth to feed",
        "She drove him to it and now she orders clips",
        "Her precious son went where he shouldn't have. Natural selection",
        "Put a bottle in his hand in the clip, more honest",
        "His kind never lives long, everyone knew",
    ],
    "sexual_harassment": [
        "Young widow, hot profile pics. Need some comfort?",
        "What do you look like out of mourning clothes? Send a pic",
        "DM me, little widow, you won't regret it",
        "I'll order a clip if you bring it yourself. In a short dress",
    ],
}

OK = {
    "grief_venting": [
        "Burn in hell, this disease. It took my mum in three months",
        "Fucking air raid alert again and I can't get to the cemetery",
        "I hope that drunk driver rots in prison for what he did to my girl",
        "Damn this war and everyone who started it",
        "God, it hurts. A year gone and I still wait for his call",
        "Cancer, you bastard, you took my dad",
        "Son, can you hear me? It's your birthday today",
        "Shit, I miss her so much. Every single day",
    ],
    "swearing_praise": [
        "Holy fuck you guys are legends, my mum looks alive",
        "Damn, this is beautiful, I cried all evening",
        "This is the best damn thing I've ever seen. You are magicians",
        "Bloody hell, you even got his voice right. Thank you",
    ],
    "civil_criticism": [
        "Your clips all use the same music. Please think about it",
        "Prices are too high for people who just lost someone",
        "You take too long to reply, I waited three days. Not nice",
        "I disagree with deleting comments. People have a right to speak",
        "The face animation still looks unnatural, the eyes are glassy",
        "You misspelled the surname in the credits and nobody checked",
    ],
    "quoted_report": [
        "Someone wrote to the founder I know where you live, please block him",
        "A guy messaged me 'nice porch you have'. Is this a threat? What should I do?",
        "Someone commented 'one less drunk' under my dad's clip. Please delete it",
    ],
    "question": [
        "Could you add my son's voice from an old video?",
        "Do you make clips for Muslim families? We need one without music",
        "How long is the wait if I'm number thirty in the queue?",
        "Why was my comment deleted? I didn't write anything bad",
    ],
    "order": [
        "I'd like a clip for my dad, he was a refugee from Syria and loved this country. Photos attached",
        "Please put us on the list: grandma, disabled since the war, passed in March",
    ],
}

# Second round (same day, before any score of these lines): ok texts that speak to the community as
# "you" (the English side read "you" as abuse: most English abuse here says "you"), and more abuse
# without insult words.
ABUSIVE["hate_speech"] += [
    "Honestly, clips for immigrants are a waste, they don't even love this country",
    "Gypsies steal from the dead too, I'd check their payment twice",
    "Muslim families shouldn't be allowed on this page at all",
]
ABUSIVE["mock_dead"] += [
    "Nice clip, shame he had to die to get any attention",
    "Another drunk gets a tribute video, what a time to be alive",
    "Bet he's happier dead than married to her",
]
ABUSIVE["threat_veiled"] += [
    "Your daughter's bus leaves at 7:40, right? Just checking",
    "Nice car. Be a shame if something happened to the brakes",
]
OK["order_followup"] = [
    "You did a lovely job on the draft, could you just fix one date?",
    "You sent the draft yesterday, thank you, the music is perfect",
    "Did you get my photos? I sent four of them on Monday",
    "You asked about his nickname, it was Sunny",
    "Just checking you still have our order, no rush",
    "You were right, the second photo works better. Go ahead",
]
OK["civil_criticism"] += [
    "You should reply faster, people here are grieving",
    "Your prices went up twice this year, that's hard on families",
    "You post too often, my feed is full of your clips",
    "I think you could be kinder when you refuse an order",
    "You promised the clip by Friday and it's Monday. Please keep your word",
]
OK["condolence"] = [
    "Thinking of you and your family today",
    "I'm so sorry for your loss, you are in my prayers",
    "You were so brave to share this. Sending love",
    "Stay strong, you are not alone",
]
OK["question"] += [
    "Can you make it a bit longer? Ten seconds more",
    "Do you need the photos in colour or is black and white fine?",
    "Are you open on weekends?",
    "Would you mind adding the date of birth at the end?",
]

# Third round (same day, before any score of these lines).
ABUSIVE["mock_dead"] += [
    "Well, he died, at least the flat is free now",
    "He looks drunk in the photo. Probably died that way",
    "The wake is just an excuse to drink, let's be honest",
    "Finally the inheritance, no wonder you can afford a clip",
    "Forty days and you're still whining. He stopped whining a while ago",
]
ABUSIVE["sexual_harassment"] += [
    "Hope the widow is lonely tonight. I can keep her warm",
    "Mourning suits you. Especially the black tights",
    "You cried so beautifully in that video, I watched it again and again",
]
ABUSIVE["hate_speech"] += [
    "Jews making money off grief again, as always",
    "These people from the Caucasus always bring trouble, don't serve them",
]
OK["grief_venting"] += [
    "The flat is so empty without him. I walk from room to room",
    "He drank in his last years, I know. But he was my dad and I loved him",
    "He's laughing in the photo and I just sit here crying",
]
